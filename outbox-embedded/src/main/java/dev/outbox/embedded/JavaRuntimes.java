package dev.outbox.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Java installation of a minimum feature version for a child process, in this order:
 * system property {@value #PROPERTY}, environment variable {@value #ENVIRONMENT}, {@code JAVA_HOME},
 * the running JVM, then the usual install locations (newest first).
 */
final class JavaRuntimes {
    static final String PROPERTY = "apicurio.java.home";
    static final String ENVIRONMENT = "APICURIO_JAVA_HOME";
    private static final Pattern RELEASE_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private JavaRuntimes() {
    }

    /** Returns the {@code bin/java} executable of a suitable installation, or fails naming the settings. */
    static Path findJava(int minimumVersion) {
        String explicit = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        if (explicit != null && !explicit.isBlank()) {
            return requireJava(Path.of(explicit), minimumVersion, PROPERTY + " / " + ENVIRONMENT);
        }
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home")));
        candidates.addAll(installed());
        for (Path home : candidates) {
            OptionalInt version = featureVersion(home);
            if (version.isPresent() && version.getAsInt() >= minimumVersion) {
                return java(home);
            }
        }
        throw new EmbeddedServerException("no Java " + minimumVersion + "+ found for Apicurio Registry (looked at "
                + candidates + "); install one or point the system property " + PROPERTY
                + " or the environment variable " + ENVIRONMENT + " at its home directory");
    }

    /**
     * Returns the {@code bin/java} executable of {@code home}, or fails naming {@code setting}
     * unless {@code home} is a Java installation of at least {@code minimumVersion}.
     */
    static Path requireJava(Path home, int minimumVersion, String setting) {
        OptionalInt version = featureVersion(home);
        if (version.isEmpty() || version.getAsInt() < minimumVersion) {
            throw new EmbeddedServerException(setting + " points to " + home + ", which is "
                    + (version.isEmpty() ? "not a Java installation" : "Java " + version.getAsInt())
                    + "; Apicurio Registry needs Java " + minimumVersion + " or newer");
        }
        return java(home);
    }

    /** Feature version of the installation at {@code home} from its {@code release} file, if it has a java binary. */
    private static OptionalInt featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(java(home)) || !Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        try {
            Matcher matcher = RELEASE_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
            if (!matcher.find()) {
                return OptionalInt.empty();
            }
            int major = Integer.parseInt(matcher.group(1));
            return OptionalInt.of(major == 1 ? 8 : major);
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static Path java(Path home) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win");
        return home.resolve("bin").resolve(windows ? "java.exe" : "java");
    }

    private static List<Path> installed() {
        String userHome = System.getProperty("user.home", "");
        List<Path> roots = List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"),
                Path.of("/Library/Java/JavaVirtualMachines"), Path.of(userHome, ".sdkman", "candidates", "java"),
                Path.of(userHome, ".jdks"));
        List<Path> homes = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                children.map(c -> Files.isDirectory(c.resolve("Contents/Home")) ? c.resolve("Contents/Home") : c)
                        .forEach(homes::add);
            } catch (IOException e) {
                // An unreadable directory simply offers no candidates.
            }
        }
        homes.sort(Comparator.comparingInt((Path h) -> featureVersion(h).orElse(0)).reversed());
        return homes;
    }
}
