package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

/** Creates the handler once per execution environment, during init. */
@FunctionalInterface
public interface HandlerFactory {
    RequestStreamHandler create() throws Exception;

    /**
     * The handler named by the function's {@code Handler} setting ({@code _HANDLER}):
     * {@code com.example.MyHandler} or {@code com.example.MyHandler::handleRequest}. The class must
     * implement {@link RequestStreamHandler} and have a public no-argument constructor, as for
     * Lambda's own Java runtime.
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
            }
            if (!RequestStreamHandler.class.isAssignableFrom(type)) {
                throw new HandlerInitException("Runtime.InvalidHandler",
                        className + " does not implement " + RequestStreamHandler.class.getName());
            }
            return (RequestStreamHandler) type.getDeclaredConstructor().newInstance();
        };
    }

    /** An init failure with the Runtime API error category to report it under. */
    final class HandlerInitException extends Exception {
        private final String category;

        public HandlerInitException(String category, String message) {
            super(message);
            this.category = category;
        }

        public String category() {
            return category;
        }
    }
}
