// Calls `POST /responses` with the official npm `openai` client (6.x) and prints one JSON line per
// thing that happens, the moment it happens, so that a test can follow a stream live.
//
//   node openai-responses.mjs <baseURL> <scenario> <apiKey>
//
// Scenarios: stream (responses.create, stream: true), create (not streaming), helper
// (responses.stream(), which rebuilds the response from the events and parses strict tool
// arguments), refused (a request with previous_response_id).
// Lines: {"type":"event",...} per stream event, {"type":"end",...} with what the client made of
// the answer, or {"type":"error",...} when the client threw (exit code 1).
import OpenAI, { APIError } from 'openai';

const [baseURL, scenario, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });

const tools = [{
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
}];
const request = {
  model: 'gpt-4o-mini',
  instructions: 'You are terse.',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }],
  tools,
  max_output_tokens: 200,
  temperature: 0.3,
};

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function summary(response) {
  return {
    id: response.id,
    object: response.object,
    status: response.status,
    model: response.model,
    outputText: response.output_text,
    incomplete: response.incomplete_details,
    usage: response.usage,
    calls: response.output
      .filter((item) => item.type === 'function_call')
      .map((item) => ({
        id: item.id,
        callId: item.call_id,
        name: item.name,
        arguments: JSON.parse(item.arguments),
        parsed: item.parsed_arguments ?? null,
      })),
  };
}

try {
  switch (scenario) {
    case 'stream': {
      const stream = await client.responses.create({ ...request, stream: true });
      let text = '';
      let final = null;
      for await (const event of stream) {
        emit({ type: 'event', event: event.type, seq: event.sequence_number, delta: event.delta ?? null });
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (['response.completed', 'response.incomplete', 'response.failed'].includes(event.type)) final = event.response;
      }
      emit({ type: 'end', text, response: summary(final) });
      break;
    }
    case 'create': {
      emit({ type: 'end', response: summary(await client.responses.create(request)) });
      break;
    }
    case 'helper': {
      const runner = client.responses.stream(request);
      runner.on('response.output_text.delta', (event) =>
        emit({ type: 'event', event: event.type, delta: event.delta, snapshot: event.snapshot }));
      emit({ type: 'end', response: summary(await runner.finalResponse()) });
      break;
    }
    case 'refused': {
      await client.responses.create({ ...request, previous_response_id: 'resp_earlier' });
      emit({ type: 'end' });
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
} catch (error) {
  emit({
    type: 'error',
    class: error?.constructor?.name ?? typeof error,
    isAPIError: error instanceof APIError,
    status: error?.status ?? null,
    code: error?.code ?? null,
    param: error?.param ?? null,
    errorType: error?.type ?? null,
    message: String(error?.message ?? error),
  });
  process.exitCode = 1;
}
