package ai.cloudact.jobs.serve;

import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.support.ApiStandIn;
import ai.cloudact.jobs.support.ServeProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.json.webtoken.JsonWebSignature;
import com.google.api.client.json.webtoken.JsonWebToken;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may call a {@code --serve} replica (a real process on a real PostgreSQL): the OIDC matrix with
 * ID tokens signed by a key pair made here and served as a JWKS (OIDC_JWKS_URL) — a valid token runs
 * the job; an expired one, another audience, another signer, another issuer, an unlisted or unverified
 * e-mail, no token, or the X-Cloudscheduler header alone run nothing — and the bearer secret, right
 * and wrong. No token or secret appears in the output.
 */
class ServeAuthIT {

    private static final String AUDIENCE = "https://jobs-stage.example.test";
    private static final String CALLER = "cloudact-scheduler@cloudact-testing-1.iam.gserviceaccount.com";
    private static final String SECRET = "it-bearer-secret-9c41d7";
    private static final String KEY_ID = "it-key-1";

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static KeyPair google;
    private static KeyPair impostor;

    private String database;
    private ServeProcess service;
    private final List<String> tokens = new ArrayList<>();

    @BeforeAll
    static void keys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        google = generator.generateKeyPair();
        impostor = generator.generateKeyPair();
    }

    @BeforeEach
    void setUp() throws Exception {
        database = TestPostgres.createDatabase();
        ApiStandIn.answerEverything(api);
        RSAPublicKey key = (RSAPublicKey) google.getPublic();
        api.stubFor(get(urlPathEqualTo("/certs")).atPriority(1).willReturn(okJson("{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\","
                + "\"use\":\"sig\",\"kid\":\"" + KEY_ID + "\",\"n\":\"" + base64(key.getModulus()) + "\",\"e\":\""
                + base64(key.getPublicExponent()) + "\"}]}")));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            String output = service.output();
            tokens.forEach(token -> assertThat(output).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1)));
            assertThat(output).doesNotContain(SECRET);
            service.close();
        }
        TestPostgres.dropDatabase(database);
    }

    private ServeProcess serve(Map<String, String> auth) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "SERVE_JOBS", "bootstrap,quota-reset",
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", "it-auth-root-key"));
        settings.putAll(auth);
        service = ServeProcess.start("auth", settings).awaitReady(Duration.ofSeconds(60));
        return service;
    }

    @Test
    void oidcRunsJobsOnlyForAValidGoogleTokenOfAnAllowedCaller() throws Exception {
        serve(Map.of("SERVE_AUTH", "oidc", "SERVE_AUDIENCE", AUDIENCE, "SERVE_ALLOWED_EMAILS", "someone@example.test, " + CALLER,
                "OIDC_JWKS_URL", api.baseUrl() + "/certs"));
        Instant now = Instant.now();

        assertThat(run(token(google, "https://accounts.google.com", AUDIENCE, CALLER, true, now.plusSeconds(3600))))
                .as("valid token").isEqualTo(200);
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap")))).hasSize(1);
        HttpResponse<String> tick = service.post("/cron/tick", "Authorization",
                "Bearer " + token(google, "accounts.google.com", AUDIENCE, CALLER, true, now.plusSeconds(600)));
        assertThat(tick.statusCode()).as(tick.body()).isEqualTo(200);
        assertThat(tick.body()).contains("\"checked\":1");

        assertThat(run(token(google, "https://accounts.google.com", AUDIENCE, CALLER, true, now.minusSeconds(60))))
                .as("expired").isEqualTo(401);
        assertThat(run(token(google, "https://accounts.google.com", "https://other.example.test", CALLER, true, now.plusSeconds(3600))))
                .as("another audience").isEqualTo(401);
        assertThat(run(token(impostor, "https://accounts.google.com", AUDIENCE, CALLER, true, now.plusSeconds(3600))))
                .as("signed by another key under Google's key id").isEqualTo(401);
        assertThat(run(token(google, "https://issuer.example.test", AUDIENCE, CALLER, true, now.plusSeconds(3600))))
                .as("another issuer").isEqualTo(401);
        assertThat(run(token(google, "https://accounts.google.com", AUDIENCE, "intruder@example.test", true, now.plusSeconds(3600))))
                .as("a caller not listed").isEqualTo(403);
        assertThat(run(token(google, "https://accounts.google.com", AUDIENCE, CALLER, false, now.plusSeconds(3600))))
                .as("an unverified e-mail").isEqualTo(403);
        assertThat(service.post("/jobs/bootstrap/run").statusCode()).as("no token").isEqualTo(401);
        assertThat(service.post("/jobs/bootstrap/run", "X-Cloudscheduler", "true", "User-Agent", "Google-Cloud-Scheduler").statusCode())
                .as("the Cloud Scheduler header alone").isEqualTo(401);
        assertThat(service.post("/jobs/bootstrap/run", "Authorization", "Bearer not-a-jwt").statusCode()).as("garbage").isEqualTo(401);
        assertThat(service.post("/cron/tick").statusCode()).as("tick without a token").isEqualTo(401);

        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap")))).as("no refused call ran the job").hasSize(1);
        assertThat(service.output()).contains("Refused POST /jobs/bootstrap/run: 403 caller intruder@example.test is not in SERVE_ALLOWED_EMAILS")
                .contains("Refused POST /jobs/bootstrap/run: 401 ID token rejected: Token is expired")
                .contains("Refused POST /jobs/bootstrap/run: 401 ID token rejected: Expected audience does not match")
                .contains("Refused POST /jobs/bootstrap/run: 401 ID token rejected: Invalid signature");
        assertThat(service.management("/observe/metrics").body())
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"401\"}")
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"403\"}");
    }

    @Test
    void bearerRunsJobsOnlyForTheCronSecret() throws Exception {
        serve(Map.of("SERVE_AUTH", "bearer", "CRON_SECRET", SECRET));

        HttpResponse<String> right = service.post("/jobs/bootstrap/run", "Authorization", "Bearer " + SECRET);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertThat(right.headers().firstValue("Authorization")).as("no credential echoed back").isEmpty();
        assertThat(service.post("/jobs/bootstrap/run", "Authorization", "Bearer " + SECRET + "x").statusCode()).isEqualTo(401);
        assertThat(service.post("/jobs/bootstrap/run", "Authorization", "Bearer " + SECRET.substring(1)).statusCode()).isEqualTo(401);
        assertThat(service.post("/jobs/bootstrap/run", "Authorization", SECRET).statusCode()).as("not a bearer credential").isEqualTo(401);
        HttpResponse<String> none = service.post("/jobs/bootstrap/run");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap")))).hasSize(1);
    }

    private int run(String token) {
        HttpResponse<String> response = service.post("/jobs/bootstrap/run", "Authorization", "Bearer " + token);
        return response.statusCode();
    }

    /** An ID token as Google issues them (RS256, kid of Google's key), signed with the given key. */
    private String token(KeyPair signer, String issuer, String audience, String email, boolean verified, Instant expires)
            throws GeneralSecurityException, java.io.IOException {
        JsonWebSignature.Header header = new JsonWebSignature.Header().setAlgorithm("RS256").setType("JWT").setKeyId(KEY_ID);
        JsonWebToken.Payload payload = new JsonWebToken.Payload().setIssuer(issuer).setAudience(audience)
                .setIssuedAtTimeSeconds(expires.getEpochSecond() - 3600).setExpirationTimeSeconds(expires.getEpochSecond())
                .setSubject("1234567890");
        payload.set("email", email);
        payload.set("email_verified", verified);
        String token = JsonWebSignature.signUsingRsaSha256(signer.getPrivate(), GsonFactory.getDefaultInstance(), header, payload);
        tokens.add(token);
        return token;
    }

    private static String base64(BigInteger number) {
        byte[] bytes = number.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
