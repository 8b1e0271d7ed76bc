// Calls `POST /responses` through the Vercel AI SDK's default OpenAI provider (`openai(model)`,
// which speaks the Responses API) and prints one JSON line per thing that happens, as it happens.
//
//   node ai-sdk.mjs <baseURL> <scenario> <apiKey>
//
// Scenarios: streamText, generateText (both with a function tool the model may call),
// toolLoop (generateText that runs the tool and asks again: the second request carries the
// function call and its output; providerOptions.openai.store = false, as the relay keeps no
// state), storedLoop (the same loop with the SDK's default store, after a turn with text).
// Lines: {"type":"text",...} per text delta, {"type":"end",...}, or {"type":"error",...} (exit 1).
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';

const [baseURL, scenario, apiKey] = process.argv.slice(2);
const openai = createOpenAI({ baseURL, apiKey });

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

const weather = (execute) => tool({
  description: 'Current weather in a city',
  inputSchema: jsonSchema({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  }),
  ...(execute ? { execute } : {}),
});

const calls = (toolCalls) => toolCalls.map((call) => ({ id: call.toolCallId, name: call.toolName, input: call.input }));

try {
  switch (scenario) {
    case 'streamText': {
      const result = streamText({
        model: openai('gpt-4o-mini'),
        system: 'You are terse.',
        prompt: 'Weather in Paris?',
        tools: { get_weather: weather() },
        maxRetries: 0,
        onError: ({ error }) => emit({ type: 'streamError', message: String(error?.message ?? error) }),
      });
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') emit({ type: 'text', delta: part.text });
      }
      emit({
        type: 'end',
        text: await result.text,
        toolCalls: calls(await result.toolCalls),
        finishReason: await result.finishReason,
        usage: await result.usage,
        responseId: (await result.providerMetadata)?.openai?.responseId ?? null,
      });
      break;
    }
    case 'generateText': {
      const result = await generateText({
        model: openai('gpt-4o-mini'),
        prompt: 'Weather in Paris?',
        tools: { get_weather: weather() },
        maxRetries: 0,
      });
      emit({
        type: 'end',
        text: result.text,
        toolCalls: calls(result.toolCalls),
        finishReason: result.finishReason,
        usage: result.usage,
      });
      break;
    }
    case 'toolLoop':
    case 'storedLoop': {
      const result = await generateText({
        model: openai('gpt-4o-mini'),
        prompt: 'Weather in Paris?',
        tools: { get_weather: weather(async ({ city }) => ({ city, celsius: 18 })) },
        stopWhen: stepCountIs(2),
        maxRetries: 0,
        ...(scenario === 'toolLoop' ? { providerOptions: { openai: { store: false } } } : {}),
      });
      emit({ type: 'end', text: result.text, steps: result.steps.length, finishReason: result.finishReason });
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
} catch (error) {
  emit({
    type: 'error',
    class: error?.constructor?.name ?? typeof error,
    status: error?.statusCode ?? null,
    message: String(error?.message ?? error),
    responseBody: error?.responseBody ?? null,
  });
  process.exitCode = 1;
}
