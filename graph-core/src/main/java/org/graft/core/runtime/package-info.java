/**
 * From graphs to callables: {@link org.graft.core.runtime.Compiler#compile} turns inputs,
 * outputs and param updates into a {@link org.graft.core.runtime.Function} that runs a fixed
 * schedule of op kernels and owns the seeded stream its random ops draw from.
 */
package org.graft.core.runtime;
