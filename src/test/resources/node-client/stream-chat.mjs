// Streams one chat completion from the relay with the official npm `openai` client (v6) and
// prints one JSON line per thing that happens, the moment it happens, so that a test can follow
// the stream live (stdout to a pipe is synchronous in Node on Linux: nothing is held back).
//
//   node stream-chat.mjs <baseURL> <apiKey> <model> <prompt>
//
// Lines: {"type":"chunk",...} per chunk, then {"type":"end",...} when the stream ended cleanly,
// or {"type":"error",...} when the client threw (exit code 1).
import OpenAI, { APIError } from 'openai';

const [baseURL, apiKey, model, prompt] = process.argv.slice(2);

// The client swallows `data: [DONE]`, so a fetch that passes the body through untouched keeps a
// copy of its text: that is how the script tells a clean end from a body that merely stopped.
const raw = [];
const decoder = new TextDecoder();
async function tappingFetch(url, init) {
  const response = await fetch(url, init);
  if (!response.body) {
    return response;
  }
  const tap = new TransformStream({
    transform(chunk, controller) {
      raw.push(decoder.decode(chunk, { stream: true }));
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(tap), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000, fetch: tappingFetch });
try {
  const stream = await client.chat.completions.create({
    model,
    stream: true,
    messages: [{ role: 'user', content: prompt }],
  });
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    emit({
      type: 'chunk',
      id: chunk.id,
      object: chunk.object,
      role: choice?.delta?.role ?? null,
      content: choice?.delta?.content ?? null,
      finish: choice?.finish_reason ?? null,
    });
  }
  const text = raw.join('');
  emit({
    type: 'end',
    doneEvents: text.split('data: [DONE]').length - 1,
    endsWithDone: text.endsWith('data: [DONE]\n\n'),
  });
} catch (error) {
  emit({
    type: 'error',
    class: error?.constructor?.name ?? typeof error,
    isAPIError: error instanceof APIError,
    status: error?.status ?? null,
    code: error?.code ?? null,
    errorType: error?.type ?? null,
    message: String(error?.message ?? error),
  });
  process.exitCode = 1;
}
