package io.llmrelay.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Recomputes the AWS Signature Version 4 of a request as it arrived, from the steps on
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * (canonical request, string to sign, signing key, signature), independently of the AWS SDK signer
 * the relay uses. For paths of unreserved characters only, where encoding a segment (twice, for
 * services other than S3) leaves it as it is, and requests without a query string.
 */
public final class SigV4Check {
    private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)"
            + "/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final HexFormat HEX = HexFormat.of();

    private SigV4Check() {}

    /** The headers the signature covers, in order; fails unless the request's signature is the one its secret key makes. */
    public static String[] verify(FakeUpstream.Recorded request, String secretKey) throws Exception {
        Matcher auth = AUTHORIZATION.matcher(request.header("authorization"));
        if (!auth.matches()) {
            throw new AssertionError("not a SigV4 Authorization header: " + request.header("authorization"));
        }
        String date = auth.group(2);
        String scope = date + "/" + auth.group(3) + "/" + auth.group(4) + "/aws4_request";
        String[] signed = auth.group(5).split(";");
        StringBuilder canonical = new StringBuilder(request.method()).append('\n').append(request.rawPath()).append("\n\n");
        for (String name : signed) {
            String value = request.header(name);
            if (value == null) {
                throw new AssertionError("signed header " + name + " did not arrive");
            }
            canonical.append(name.toLowerCase(Locale.ROOT)).append(':').append(value.strip().replaceAll(" +", " ")).append('\n');
        }
        canonical.append('\n').append(auth.group(5)).append('\n').append(hex(sha256(request.rawBody())));
        String toSign = "AWS4-HMAC-SHA256\n" + request.header("x-amz-date") + "\n" + scope + "\n"
                + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        for (String part : new String[] {auth.group(3), auth.group(4), "aws4_request"}) {
            key = hmac(key, part);
        }
        String expected = hex(hmac(key, toSign));
        if (!expected.equals(auth.group(6))) {
            throw new AssertionError("the signature does not match the request as it arrived; canonical request:\n"
                    + canonical);
        }
        return signed;
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
