package io.segstream.avro;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro (1.12.1+) instantiates only classes it trusts, also when a builder fills an enum default.
 * {@link #trust()} adds this package, where the generated contract classes live, to Avro's trust
 * list; call it before building or reading records (the SegStream serdes do).
 */
public final class GeneratedClasses {

    private static final String PACKAGE_PREFIX = GeneratedClasses.class.getPackageName() + ".";
    private static volatile boolean trusted;

    private GeneratedClasses() {}

    /** Trusts this package's classes in addition to whatever Avro already trusts. Idempotent. */
    public static void trust() {
        if (trusted) {
            return;
        }
        synchronized (GeneratedClasses.class) {
            if (!trusted) {
                ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                        candidate -> candidate.getName().startsWith(PACKAGE_PREFIX)));
                trusted = true;
            }
        }
    }
}
