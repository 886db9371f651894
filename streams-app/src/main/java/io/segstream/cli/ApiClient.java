package io.segstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.config.SegStreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A command's calls to a running pipeline's HTTP API: the bearer token from {@code --token} or
 * {@code SEGSTREAM_API_TOKEN}, JSON answers, and an error in words for anything but a 200.
 */
final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();

    /** A client of the API at {@code baseUrl} (e.g. http://127.0.0.1:7070), with {@code token} or SEGSTREAM_API_TOKEN. */
    ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.token = token != null ? token : System.getenv("SEGSTREAM_API_TOKEN");
    }

    /** The API of the instance {@code config} describes: https when it has a keystore, at its application.server, else on 127.0.0.1 at its api.port. */
    static String baseUrl(SegStreamConfig config) {
        String server = config.passthrough(SegStreamConfig.APPLICATION_SERVER);
        String scheme = config.getString(SegStreamConfig.API_TLS_KEYSTORE_PATH) == null ? "http" : "https";
        return scheme + "://" + (server == null || server.isBlank()
                ? "127.0.0.1:" + config.getInt(SegStreamConfig.API_PORT) : server);
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String path, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).GET());
    }

    JsonNode post(String path, byte[] body, String contentType, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new IOException("cannot reach the API at " + baseUrl + " (is a pipeline running there? --api URL)", e);
        }
        JsonNode body;
        try (InputStream in = response.body()) {
            body = JSON.readTree(in);
        }
        if (response.statusCode() != 200) {
            throw new IOException(baseUrl + " answered " + response.statusCode() + ": "
                    + body.path("detail").asText(body.toString()));
        }
        return body;
    }
}
