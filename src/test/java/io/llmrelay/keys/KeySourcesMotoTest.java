package io.llmrelay.keys;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.testing.MotoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link KeySourcesContract} against moto_server. */
class KeySourcesMotoTest extends KeySourcesContract {
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
