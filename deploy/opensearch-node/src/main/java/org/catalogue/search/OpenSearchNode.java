package org.catalogue.search;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node on loopback, with the modules the catalogue needs loaded from the
 * classpath (a distribution loads them from its modules/ directory instead).
 *
 * <p>For tests and for trying the scale-out setup on one machine: single-node discovery, no
 * security plugin, no replicas. Usage: {@code OpenSearchNode <home dir> [http port]}.
 */
public final class OpenSearchNode {

    /** The modules a distribution ships, as classpath plugins. */
    private static final List<Class<? extends Plugin>> MODULES = List.of(
            Netty4Plugin.class,           // HTTP and transport layers
            CommonAnalysisPlugin.class,   // elision, asciifolding, light_french stemmer
            PainlessPlugin.class);        // scripts (update_by_query, scripted sorts)

    /** Node's constructor with classpath plugins is protected: this subclass opens it. */
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private OpenSearchNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OpenSearchNode <home dir> [http port]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String port = args.length > 1 ? args[1] : "9200";
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", "catalogue-local")
                .put("node.name", "catalogue-node")
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", port)
                .put("transport.port", "9300-9400")
                // A test node on a shared disk: never turn indices read-only on a full disk.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false)
                .build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, java.util.Map.of(), null, () -> "catalogue-node");
        Node node = new EmbeddedNode(environment, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "catalogue-node-shutdown"));
        node.start();
        System.out.println("opensearch node started on http://127.0.0.1:" + port);
        stopped.await();
    }
}
