package io.llmrelay.aws;

import java.util.function.Supplier;

/**
 * Builds a value on first use and keeps it. Used for the AWS clients so that a relay whose keys
 * are all {@code env:} references never pays for building one, and so that nothing is built
 * before a SnapStart snapshot unless the first invocation needs it.
 *
 * <p>A factory that throws leaves nothing behind: the next {@link #get()} tries again.
 */
final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> factory;
    private volatile T value;

    Lazy(Supplier<T> factory) {
        this.factory = factory;
    }

    @Override
    public T get() {
        T current = value;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }
    }

    boolean isBuilt() {
        return value != null;
    }
}
