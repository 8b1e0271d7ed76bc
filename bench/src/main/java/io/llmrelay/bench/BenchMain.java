package io.llmrelay.bench;

import java.util.Arrays;

/** {@code bench/run.sh <latency|coldstart> [options]}; JMH runs through org.openjdk.jmh.Main. */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: BenchMain latency|coldstart|upstreamclient|hedge|firstrequests|tls|memory [--option value ...]");
            System.exit(2);
        }
        Args args = new Args(Arrays.copyOfRange(argv, 1, argv.length));
        int code = switch (argv[0]) {
            case "latency" -> new LatencyBench(args).run();
            case "coldstart" -> new ColdStartBench(args).run();
            case "upstreamclient" -> new UpstreamClientBench(args).run();
            case "hedge" -> new HedgeBench(args).run();
            case "firstrequests" -> new FirstRequestsBench(args).run();
            case "tls" -> new TlsBench(args).run();
            case "memory" -> new MemoryBench(args).run();
            default -> {
                System.err.println("unknown benchmark '" + argv[0] + "'");
                yield 2;
            }
        };
        System.exit(code);
    }
}
