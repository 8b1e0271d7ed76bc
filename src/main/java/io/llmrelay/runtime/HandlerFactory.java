package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/** Creates the handler once per execution environment, during init. */
@FunctionalInterface
public interface HandlerFactory {
    RequestStreamHandler create() throws Exception;

    /**
     * The handler named by the function's {@code Handler} setting ({@code _HANDLER}):
     * {@code com.example.MyHandler} or {@code com.example.MyHandler::handleRequest}. The class must
     * implement {@link RequestStreamHandler} and have a public no-argument constructor, as for
     * Lambda's own Java runtime. What the constructor (or the class's static initializer) throws
     * is thrown as it is, not inside the reflective wrapper, as the AWS Java runtime interface
     * client reports it (EventHandlerLoader.newInstance).
     */
    static HandlerFactory named(String handlerSetting) {
        return () -> {
            if (handlerSetting == null || handlerSetting.isBlank()) {
                throw new HandlerInitException("Runtime.NoSuchHandler", "no handler is set (_HANDLER is empty)");
            }
            String className = handlerSetting.split("::", 2)[0].trim();
            Class<?> type;
            try {
                type = Class.forName(className);
            } catch (ClassNotFoundException e) {
                throw new HandlerInitException("Runtime.NoSuchHandler", "handler class not found: " + className);
            } catch (ExceptionInInitializerError e) {
                throw thrownBy(e);
            }
            if (!RequestStreamHandler.class.isAssignableFrom(type)) {
                throw new HandlerInitException("Runtime.InvalidHandler",
                        className + " does not implement " + RequestStreamHandler.class.getName());
            }
            Constructor<?> constructor;
            try {
                constructor = type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new HandlerInitException("Runtime.InvalidHandler",
                        className + " has no public no-argument constructor");
            }
            try {
                return (RequestStreamHandler) constructor.newInstance();
            } catch (InvocationTargetException e) {
                throw thrownBy(e);
            }
        };
    }

    /** What a constructor or static initializer threw, to be thrown on as it is. */
    private static Exception thrownBy(Throwable reflective) {
        Throwable cause = Failures.unwrapReflective(reflective);
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof Exception exception ? exception
                : new HandlerInitException("Runtime.HandlerInitError", Failures.headline(cause, 1000), cause);
    }

    /** An init failure with the Runtime API error category to report it under. */
    final class HandlerInitException extends Exception {
        private final String category;

        public HandlerInitException(String category, String message) {
            super(message);
            this.category = category;
        }

        public HandlerInitException(String category, String message, Throwable cause) {
            super(message, cause);
            this.category = category;
        }

        public String category() {
            return category;
        }
    }
}
