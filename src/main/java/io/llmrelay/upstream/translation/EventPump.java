package io.llmrelay.upstream.translation;

import io.llmrelay.openai.Usage;
import java.io.IOException;

/**
 * A provider's stream as a {@link TranslatedChunks.Pump}, the same for every provider: each pump
 * reads one event from the provider's body and hands it to the provider's translator; the body's
 * end goes to the translator, which fails unless the stream was complete; the counts are the ones
 * the translated events reported ({@link OpenAiChunkStream#reported()}).
 *
 * @param <E> what the provider's body is read as (an SSE event, an event stream message)
 */
public final class EventPump<E> implements TranslatedChunks.Pump {

    /** The provider's events in order, read from its body. */
    public interface Events<E> {
        /** The next event; null at the end of the body. */
        E next() throws IOException, StreamFailure;
    }

    /** What the provider's translator does with one event. */
    public interface Handler<E> {
        void handle(E event) throws IOException, StreamFailure;
    }

    /** The provider's translator as the pump asks it whether its stream is complete. */
    public interface Translator {
        /** The provider's body ended: fails unless its stream was complete. */
        void onEnd() throws IOException, StreamFailure;

        /** The provider's last event has been translated: nothing more needs reading. */
        boolean isDone();
    }

    private final Events<E> events;
    private final Handler<E> handler;
    private final Translator translator;
    private final OpenAiChunkStream out;

    /** @param out the stream {@code translator} writes its chunks to */
    public EventPump(Events<E> events, Handler<E> handler, Translator translator, OpenAiChunkStream out) {
        this.events = events;
        this.handler = handler;
        this.translator = translator;
        this.out = out;
    }

    @Override
    public boolean pumpOne() throws IOException, StreamFailure {
        E event = events.next();
        if (event == null) {
            return false;
        }
        handler.handle(event);
        return true;
    }

    @Override
    public void end() throws IOException, StreamFailure {
        translator.onEnd();
    }

    @Override
    public boolean complete() {
        return translator.isDone();
    }

    @Override
    public Usage usage() {
        return out.reported();
    }
}
