package ai.cloudact.jobs.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.runtime.Settings;
import com.google.api.client.json.webtoken.JsonWebSignature;
import com.google.api.client.json.webtoken.JsonWebToken;
import com.google.auth.oauth2.TokenVerifier;

/**
 * Who may call the service's HTTP endpoints (SERVE_AUTH), decided from the Authorization header alone
 * (a header such as X-Cloudscheduler proves nothing: anyone can send it):
 * <ul>
 * <li>{@code oidc}: a Google-signed ID token: its signature against Google's keys (OIDC_JWKS_URL), the
 * issuer, the expiry, the audience SERVE_AUDIENCE, and a verified e-mail listed in SERVE_ALLOWED_EMAILS
 * (any Google account can mint a token for any audience, so the list is what limits the callers);</li>
 * <li>{@code bearer}: {@code Bearer <CRON_SECRET>}, compared in constant time;</li>
 * <li>{@code none}: anyone (the default only in the local environment).</li>
 * </ul>
 * No credential is ever part of a verdict's reason.
 */
final class CallerCheck {

    /** The issuers of Google's ID tokens (both spellings occur). */
    private static final Set<String> GOOGLE_ISSUERS = Set.of("https://accounts.google.com", "accounts.google.com");

    enum Mode { OIDC, BEARER, NONE }

    /** 200: may call; 401: not authenticated; 403: authenticated but not allowed; 503: cannot tell now. */
    record Verdict(int status, String caller, String reason) {
        boolean allowed() {
            return status == 200;
        }
    }

    private final Mode mode;
    private final TokenVerifier verifier;
    private final String audience;
    private final Set<String> allowedEmails;
    private final byte[] secretDigest;

    private CallerCheck(Mode mode, TokenVerifier verifier, String audience, Set<String> allowedEmails, byte[] secretDigest) {
        this.mode = mode;
        this.verifier = verifier;
        this.audience = audience;
        this.allowedEmails = allowedEmails;
        this.secretDigest = secretDigest;
    }

    /** The check SERVE_AUTH asks for; a ConfigurationException names what its mode needs and is missing. */
    static CallerCheck of(Settings settings, Environment environment) {
        String configured = settings.value(Settings.SERVE_AUTH);
        Mode mode = configured != null ? Mode.valueOf(configured.toUpperCase(Locale.ROOT))
                : environment == Environment.LOCAL ? Mode.NONE : Mode.OIDC;
        return switch (mode) {
            case NONE -> new CallerCheck(mode, null, null, Set.of(), null);
            case BEARER -> {
                String secret = settings.value(Settings.CRON_SECRET);
                if (secret == null) {
                    throw new ConfigurationException("SERVE_AUTH=bearer needs CRON_SECRET: the secret callers send as"
                            + " Authorization: Bearer <CRON_SECRET>.");
                }
                yield new CallerCheck(mode, null, null, Set.of(), digest(secret));
            }
            case OIDC -> {
                String audience = settings.value(Settings.SERVE_AUDIENCE);
                String emails = settings.value(Settings.SERVE_ALLOWED_EMAILS);
                if (audience == null || emails == null) {
                    throw new ConfigurationException("SERVE_AUTH=oidc" + (configured == null ? " (the default outside local)" : "")
                            + " needs SERVE_AUDIENCE (the service's URL, the audience of the callers' ID tokens) and"
                            + " SERVE_ALLOWED_EMAILS (the callers' service accounts); or set SERVE_AUTH=bearer with CRON_SECRET.");
                }
                Set<String> allowed = Arrays.stream(emails.split(",")).map(String::trim).filter(e -> !e.isEmpty())
                        .map(e -> e.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
                String keys = settings.value(Settings.OIDC_JWKS_URL);
                TokenVerifier verifier = TokenVerifier.newBuilder().setAudience(audience)
                        .setCertificatesLocation(keys != null ? keys : Settings.OIDC_JWKS_URL.defaultText()).build();
                yield new CallerCheck(mode, verifier, audience, allowed, null);
            }
        };
    }

    Mode mode() {
        return mode;
    }

    /** What the service logs at start about who may call it. */
    String describe() {
        return switch (mode) {
            case NONE -> "none (anyone who reaches the port may run jobs)";
            case BEARER -> "bearer (Authorization: Bearer <CRON_SECRET>)";
            case OIDC -> "oidc (Google ID tokens for audience " + audience + " from " + allowedEmails.stream().sorted().toList() + ")";
        };
    }

    Verdict check(String authorization) {
        if (mode == Mode.NONE) {
            return new Verdict(200, "anyone", null);
        }
        String token = bearer(authorization);
        if (token == null) {
            return new Verdict(401, null, "no Authorization: Bearer credential");
        }
        return mode == Mode.BEARER ? checkSecret(token) : checkIdToken(token);
    }

    private Verdict checkSecret(String token) {
        // digests of equal length, compared without an early exit: neither the content nor the length leaks
        return MessageDigest.isEqual(digest(token), secretDigest) ? new Verdict(200, "bearer", null)
                : new Verdict(401, null, "the bearer credential is not CRON_SECRET");
    }

    private Verdict checkIdToken(String token) {
        JsonWebSignature signed;
        try {
            signed = verifier.verify(token);
        } catch (TokenVerifier.VerificationException e) {
            String why = e.getMessage() == null ? "not verified" : e.getMessage();
            if (why.startsWith("Error fetching PublicKey")) {
                return new Verdict(503, null, "Google's token signing keys cannot be read from OIDC_JWKS_URL now");
            }
            // the library's messages are fixed texts (and a key id), never the token
            return new Verdict(401, null, "ID token rejected: " + why);
        } catch (RuntimeException e) {
            return new Verdict(401, null, "ID token rejected: not a well-formed signed JWT");
        }
        JsonWebToken.Payload payload = signed.getPayload();
        if (payload.getExpirationTimeSeconds() == null) {
            return new Verdict(401, null, "ID token rejected: it has no expiry");
        }
        if (!GOOGLE_ISSUERS.contains(payload.getIssuer())) {
            return new Verdict(401, null, "ID token rejected: not issued by Google");
        }
        Object email = payload.get("email");
        Object verified = payload.get("email_verified");
        if (!(email instanceof String address) || !(Boolean.TRUE.equals(verified) || "true".equals(verified))) {
            return new Verdict(403, null, "the ID token names no verified e-mail address");
        }
        String caller = address.toLowerCase(Locale.ROOT);
        if (!allowedEmails.contains(caller)) {
            return new Verdict(403, caller, "caller " + caller + " is not in SERVE_ALLOWED_EMAILS");
        }
        return new Verdict(200, caller, null);
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
