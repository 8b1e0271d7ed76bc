package io.llmrelay.aws;

import io.llmrelay.cli.EncryptKeyCommand;

/** {@code encrypt-key} in a fresh JVM with the real process environment, until Main wires the command. */
public final class EncryptKeyMain {
    private EncryptKeyMain() {}

    public static void main(String[] args) {
        System.exit(EncryptKeyCommand.run(args, System.in, System.out, System.err, System.getenv()));
    }
}
