package io.llmrelay.config;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.testing.MotoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ConfigSecretContract} against moto_server. */
class ConfigSecretMotoTest extends ConfigSecretContract {
    private static MotoServer moto;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.start();
    }

    @AfterAll
    static void stopMoto() {
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    protected AwsClientSettings settings() {
        return moto.settings();
    }
}
