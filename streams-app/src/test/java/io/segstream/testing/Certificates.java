package io.segstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Certificates for TLS tests, made with the JDK's keytool: a self-signed one for 127.0.0.1 and a trust store for it. */
public final class Certificates {

    /** A PKCS12 keystore holding a key and a self-signed certificate for 127.0.0.1, and a trust store with the certificate. */
    public record Stores(Path keystore, Path truststore, String password) {

        /** A TLS context serving the keystore's certificate. */
        public SSLContext serverContext() throws Exception {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keystore), password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        /** A TLS context that trusts the certificate. */
        public SSLContext clientContext() throws Exception {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }

        private KeyStore load(Path file) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, password.toCharArray());
            }
            return store;
        }
    }

    private Certificates() {}

    /** Makes {@code name}.p12 and {@code name}-trust.p12 in {@code dir}. */
    public static Stores forLoopback(Path dir, String name) throws Exception {
        String password = name + "-password";
        Path keystore = dir.resolve(name + ".p12");
        Path certificate = dir.resolve(name + ".pem");
        Path truststore = dir.resolve(name + "-trust.p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password, "-dname", "CN=" + name,
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-exportcert", "-alias", name, "-keystore", keystore.toString(), "-storepass", password, "-rfc",
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", password);
        return new Stores(keystore, truststore, password);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
