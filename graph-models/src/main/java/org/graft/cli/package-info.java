/**
 * The {@code graft} command line: {@code check}, {@code print}, {@code dot}, {@code eval},
 * {@code gradcheck}, {@code train}, {@code export}, {@code models} and {@code info}, one picocli command each, run by
 * {@link org.graft.cli.GraftCli}. Exit status 0 on success, 1 on an error in the program or
 * its data, 2 on a wrong command line; no stack trace reaches the user unless {@code --debug}.
 */
package org.graft.cli;
