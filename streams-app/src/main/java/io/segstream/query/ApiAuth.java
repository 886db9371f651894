package io.segstream.query;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.segstream.config.SegStreamConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Bearer-token authentication of the HTTP API. Tokens come from {@code api.auth.tokens.file} (one
 * {@code ROLE TOKEN} per line) and {@code api.auth.tokens} ({@code ROLE:TOKEN,...}, for the
 * environment); only their SHA-256 is kept. {@code read} may read (every GET route but the cluster
 * layout and customer histories, and segment previews), {@code admin} may do everything. Paths in {@code api.auth.open.paths} need no token.
 * Without any token configured the API is open (the demo's local-only mode).
 */
final class ApiAuth {

    /** What a token may do; admin includes read. */
    enum Role { READ, ADMIN }

    /** A refused request: 401 without a valid token, 403 with one whose role is not enough. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static final String HEADER = "Authorization";
    private static final String BEARER = "Bearer ";
    /**
     * Routes for operators, not analysts: the cluster's hosts and partitions, and every customer's
     * purchase history (no ids, but individual figures) for fitting models.
     */
    private static final List<String> ADMIN_PATHS = List.of("/api/v1/instances", "/api/v1/customers/histories",
            "/internal/v1/customers/histories");

    /** Routes that read although they are POSTs: a preview takes draft definitions in its body and publishes nothing. */
    private static final List<String> READ_POSTS = List.of("/api/v1/segments/preview", "/internal/v1/segments/preview");

    private final Map<String, Role> rolesByTokenHash;
    private final List<String> openPaths;

    ApiAuth(Map<String, Role> rolesByTokenHash, List<String> openPaths) {
        this.rolesByTokenHash = Map.copyOf(rolesByTokenHash);
        this.openPaths = List.copyOf(openPaths);
    }

    static ApiAuth from(SegStreamConfig config) {
        Map<String, Role> roles = new HashMap<>();
        String file = config.getString(SegStreamConfig.API_AUTH_TOKENS_FILE);
        if (file != null && !file.isBlank()) {
            readFile(Path.of(file), roles);
        }
        Password inline = config.getPassword(SegStreamConfig.API_AUTH_TOKENS);
        if (inline != null && !inline.value().isBlank()) {
            for (String entry : inline.value().split(",")) {
                int colon = entry.indexOf(':');
                if (colon <= 0) {
                    throw new ConfigException(SegStreamConfig.API_AUTH_TOKENS + " has an entry that is not ROLE:TOKEN "
                            + "(roles: read, admin); e.g. read:s3cret,admin:0ther");
                }
                add(roles, entry.substring(0, colon).trim(), entry.substring(colon + 1).trim(), SegStreamConfig.API_AUTH_TOKENS);
            }
        }
        return new ApiAuth(roles, config.getList(SegStreamConfig.API_AUTH_OPEN_PATHS));
    }

    private static void readFile(Path file, Map<String, Role> roles) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(SegStreamConfig.API_AUTH_TOKENS_FILE + ": cannot read " + file + " (" + e + ")");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new ConfigException(SegStreamConfig.API_AUTH_TOKENS_FILE + ": line " + (i + 1) + " of " + file
                        + " is not 'ROLE TOKEN' (roles: read, admin)");
            }
            add(roles, parts[0], parts[1], SegStreamConfig.API_AUTH_TOKENS_FILE + " line " + (i + 1));
        }
    }

    private static void add(Map<String, Role> roles, String role, String token, String where) {
        Role parsed;
        try {
            parsed = Role.valueOf(role.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": unknown role '" + role + "'; roles are read and admin");
        }
        if (token.length() < 16) {
            throw new ConfigException(where + ": a token must have at least 16 characters (e.g. openssl rand -hex 24)");
        }
        roles.put(hash(token), parsed);
    }

    boolean enabled() {
        return !rolesByTokenHash.isEmpty();
    }

    /** Throws {@link Refused} unless the request may go on. */
    void check(Context ctx) {
        if (!enabled() || openPaths.contains(ctx.path())) {
            return;
        }
        String header = ctx.header(HEADER);
        if (header == null || !header.startsWith(BEARER)) {
            throw new Refused(401, "send 'Authorization: Bearer TOKEN' (tokens are configured with api.auth.tokens "
                    + "or api.auth.tokens.file)");
        }
        Role role = rolesByTokenHash.get(hash(header.substring(BEARER.length()).strip()));
        if (role == null) {
            throw new Refused(401, "the bearer token is not valid");
        }
        Role required = required(ctx);
        if (role.compareTo(required) < 0) {
            throw new Refused(403, "this route needs the " + required.name().toLowerCase(Locale.ROOT) + " role; the token has "
                    + role.name().toLowerCase(Locale.ROOT));
        }
    }

    private static Role required(Context ctx) {
        boolean reads = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD
                || ctx.method() == HandlerType.POST && READ_POSTS.contains(ctx.path());
        return reads && !ADMIN_PATHS.contains(ctx.path()) ? Role.READ : Role.ADMIN;
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no SHA-256", e);
        }
    }
}
