package io.segstream.query;

import io.segstream.config.SegStreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS for the HTTP API ({@code api.tls.keystore.path}, PKCS12): the server's connector, and the
 * client that forwards to other instances over HTTPS, trusting {@code api.tls.truststore.path} (by
 * default the keystore itself, for instances that share a certificate or its CA). Either every
 * instance of an application serves TLS or none does.
 */
record ApiTls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

    /** The TLS settings of {@code config}, or null when api.tls.keystore.path is not set. */
    static ApiTls from(SegStreamConfig config) {
        String keystore = config.getString(SegStreamConfig.API_TLS_KEYSTORE_PATH);
        if (keystore == null || keystore.isBlank()) {
            return null;
        }
        String truststore = config.getString(SegStreamConfig.API_TLS_TRUSTSTORE_PATH);
        String keystorePassword = value(config.getPassword(SegStreamConfig.API_TLS_KEYSTORE_PASSWORD));
        ApiTls tls = truststore == null || truststore.isBlank()
                ? new ApiTls(Path.of(keystore), keystorePassword, Path.of(keystore), keystorePassword)
                : new ApiTls(Path.of(keystore), keystorePassword, Path.of(truststore),
                        value(config.getPassword(SegStreamConfig.API_TLS_TRUSTSTORE_PASSWORD)));
        // Fail at start, naming the key, rather than at the first request.
        tls.load(tls.keystore, tls.keystorePassword, SegStreamConfig.API_TLS_KEYSTORE_PATH);
        tls.load(tls.truststore, tls.truststorePassword, truststore == null || truststore.isBlank()
                ? SegStreamConfig.API_TLS_KEYSTORE_PATH : SegStreamConfig.API_TLS_TRUSTSTORE_PATH);
        return tls;
    }

    private static String value(Password password) {
        return password == null ? "" : password.value();
    }

    /** An HTTPS connector on {@code host:port} for the API's Jetty server. */
    Connector connector(Server server, HttpConfiguration http, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keystore.toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(keystorePassword);
        HttpConfiguration https = new HttpConfiguration(http);
        https.addCustomizer(new SecureRequestCustomizer());
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /** The client that forwards to other instances, trusting the truststore. */
    HttpClient client(Duration connectTimeout) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore, truststorePassword, SegStreamConfig.API_TLS_TRUSTSTORE_PATH));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return HttpClient.newBuilder().connectTimeout(connectTimeout).sslContext(context).build();
        } catch (GeneralSecurityException e) {
            throw new ConfigException(SegStreamConfig.API_TLS_TRUSTSTORE_PATH + ": cannot trust " + truststore + " (" + e + ")");
        }
    }

    private KeyStore load(Path file, String password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key + ": cannot open PKCS12 store " + file + " with its password (" + e.getMessage() + ")");
        }
    }
}
