package org.graft.cli;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP while {@code graft train} runs. The first one only sets a
 * flag, which the training loop asks between steps: the run then saves where it stands, says how
 * to resume it, and the command exits with 128 + the signal's number (130, 143, 129), as a
 * process killed by it would. A second one stops at once, with the same status, as if Graft did
 * not handle signals; every file already written is whole (they are written by renaming).
 *
 * <p>Why signal handlers and not a shutdown hook: a hook runs once the JVM has begun to exit,
 * beside every other hook (JavaCPP's among them, while a step may be calling OpenBLAS), it
 * cannot tell SIGINT from SIGTERM, and while it waits for the save no second Ctrl-C can stop a
 * save that hangs. A handler that sets a flag leaves the JVM running: the run ends through the
 * same path as any other, releasing its folder and flushing its output, and the status is
 * returned from {@code main} like every other.
 *
 * <p>The handlers are {@code sun.misc.Signal}'s, which JEP 260 keeps available (in the module
 * {@code jdk.unsupported}) for exactly this. They are reached by reflection because javac warns
 * at every mention of that API, with no way to silence it, and the build is free of warnings;
 * reflection also lets a JVM without it (or one started with {@code -Xrs}) train without
 * handlers, as before. A signal that the process inherited as ignored (a job started in the
 * background by a script, {@code nohup} for SIGHUP) stays ignored: the JVM does not let it be
 * handled, and the run goes on.
 */
final class Interrupts implements AutoCloseable {

    /** The signals handled, by name, with the exit status each gives: 128 + its number. */
    private static final Map<String, Integer> STATUS = Map.of("INT", 130, "TERM", 143, "HUP", 129);

    private static final List<String> HANDLED = List.of("INT", "TERM", "HUP");

    private final Map<Object, Object> previous = new LinkedHashMap<>();  // signal -> the handler it had
    private final PrintWriter err;
    private volatile String received;                                      // the first signal's name, or null

    private Interrupts(PrintWriter err) { this.err = err; }

    /** Handles the signals until {@link #close}; {@code err} is told when a second one stops the run at once. */
    static Interrupts install(PrintWriter err) {
        var interrupts = new Interrupts(err);
        if (SignalApi.available()) {
            for (String name : HANDLED) {
                Object signal = SignalApi.signal(name);
                Object old = SignalApi.handle(signal, SignalApi.handler(() -> interrupts.received(name)));
                if (old == null) continue;                // the JVM keeps it: -Xrs
                if (SignalApi.ignored(old)) {
                    SignalApi.handle(signal, old);        // ignored when the process started: it stays so
                } else {
                    interrupts.previous.put(signal, old);
                }
            }
        }
        return interrupts;
    }

    private void received(String name) {
        if (received == null) {
            received = name;
        } else {   // a second signal: stop now, without saving
            err.println("SIG" + name + " again: stopped at once, without saving; the files saved before are whole");
            err.flush();
            Runtime.getRuntime().exit(STATUS.get(received));
        }
    }

    /** Whether a signal asked the run to stop. */
    boolean requested() { return received != null; }

    /** The signal received, {@code SIGINT}, or null. */
    String signal() { return received == null ? null : "SIG" + received; }

    /** The exit status after the signal received: 128 + its number. */
    int status() { return STATUS.get(received); }

    /** Gives the signals back the handlers they had. */
    @Override
    public void close() {
        previous.forEach(SignalApi::handle);
    }

    /** {@code sun.misc.Signal} and {@code sun.misc.SignalHandler}, through reflection (see the class comment). */
    private static final class SignalApi {
        private static final Class<?> HANDLER;
        private static final Constructor<?> SIGNAL;
        private static final Method HANDLE;
        private static final Object SIG_IGN;

        static {
            Class<?> handler = null;
            Constructor<?> signal = null;
            Method handle = null;
            Object ignore = null;
            try {
                Class<?> type = Class.forName("sun.misc.Signal");
                handler = Class.forName("sun.misc.SignalHandler");
                signal = type.getConstructor(String.class);
                handle = type.getMethod("handle", type, handler);
                ignore = handler.getField("SIG_IGN").get(null);
            } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
                handler = null;   // not this JVM: no handlers
            }
            HANDLER = handler;
            SIGNAL = signal;
            HANDLE = handle;
            SIG_IGN = ignore;
        }

        static boolean available() { return HANDLER != null; }

        static Object signal(String name) {
            try {
                return SIGNAL.newInstance(name);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("sun.misc.Signal(" + name + ")", e);
            }
        }

        /** Sets the signal's handler; the one it had, or null if the JVM does not let it be handled. */
        static Object handle(Object signal, Object handler) {
            try {
                return HANDLE.invoke(null, signal, handler);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException) return null;   // used by the JVM (-Xrs)
                throw new IllegalStateException("sun.misc.Signal.handle", e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("sun.misc.Signal.handle", e);
            }
        }

        static boolean ignored(Object handler) { return handler.equals(SIG_IGN); }

        /** A {@code SignalHandler} that runs {@code action}. */
        static Object handler(Runnable action) {
            return Proxy.newProxyInstance(Interrupts.class.getClassLoader(), new Class<?>[] {HANDLER}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> action.run();
                    case "equals" -> { return proxy == args[0]; }
                    case "hashCode" -> { return System.identityHashCode(proxy); }
                    case "toString" -> { return "graft train's signal handler"; }
                    default -> throw new UnsupportedOperationException(method.getName());
                }
                return null;
            });
        }
    }
}
