// Streams one chat completion from the relay with the official npm `openai` client (v6) and
// prints one JSON line per thing that happens, the moment it happens, so that a test can follow
// the stream live (stdout to a pipe is synchronous in Node on Linux: nothing is held back).
//
//   node stream-chat.mjs <baseURL> <apiKey> <model> <prompt> [<extra request fields as JSON>]
//
// Lines: {"type":"chunk",...} per chunk, then {"type":"end",...} when the stream ended cleanly,
// or {"type":"error",...} when the client threw (exit code 1).
//
// With extra fields (tools, tool_choice, stream_options ...), the stream is read through the
// client's own accumulator, `client.chat.completions.stream()` (ChatCompletionStream: it checks
// that the chunks add up, e.g. a finish_reason and a role for the choice), and a
// {"type":"final",...} line before "end" holds what it accumulated: text, finish reason, usage and
// each tool call with the arguments the client parsed itself (it JSON-parses the arguments of
// tools marked `strict: true`).
import OpenAI, { APIError } from 'openai';

const [baseURL, apiKey, model, prompt, extraJson] = process.argv.slice(2);
const extra = extraJson ? JSON.parse(extraJson) : null;

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

function emitChunk(chunk) {
  const choice = chunk.choices[0];
  emit({
    type: 'chunk',
    id: chunk.id,
    object: chunk.object,
    model: chunk.model,
    choices: chunk.choices.length,
    role: choice?.delta?.role ?? null,
    content: choice?.delta?.content ?? null,
    toolCalls: choice?.delta?.tool_calls ?? null,
    finish: choice?.finish_reason ?? null,
    usage: chunk.usage ?? null,
  });
}

// What the client's accumulator made of the whole stream.
async function emitFinal(stream) {
  const completion = await stream.finalChatCompletion();
  const choice = completion.choices[0];
  emit({
    type: 'final',
    model: completion.model,
    content: choice.message.content,
    finish: choice.finish_reason,
    toolCalls: (choice.message.tool_calls ?? []).map((call) => ({
      id: call.id,
      type: call.type,
      name: call.function.name,
      arguments: call.function.arguments,
      parsedArguments: call.function.parsed_arguments ?? null,
    })),
    usage: completion.usage ?? null,
  });
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000, fetch: tappingFetch });
try {
  const params = { model, stream: true, messages: [{ role: 'user', content: prompt }], ...extra };
  if (extra) {
    const stream = client.chat.completions.stream(params);
    for await (const chunk of stream) {
      emitChunk(chunk);
    }
    await emitFinal(stream);
  } else {
    for await (const chunk of await client.chat.completions.create(params)) {
      emitChunk(chunk);
    }
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
