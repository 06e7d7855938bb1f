package dev.adjoint.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Creates the Spark context a {@link SparkLoss} runs on: the embedded {@code local[*]} engine
 * when no master is given, or whatever {@code spark-submit} configured on a cluster.
 */
public final class AdjointSpark {
    private AdjointSpark() {}

    /** The master used when neither the argument nor {@code spark-submit} names one. */
    public static final String DEFAULT_MASTER = "local[*]";

    /**
     * A Spark context for {@code appName}.
     *
     * @param master a Spark master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn},
     *               ...), or {@code null} to use the one {@code spark-submit} set
     *               ({@code spark.master}), else {@value #DEFAULT_MASTER}
     */
    public static JavaSparkContext context(String appName, String master) {
        return new JavaSparkContext(configuration(appName, master));
    }

    /**
     * The configuration {@link #context} uses. For a local master (in this JVM) it also turns the
     * web UI off and keeps the driver on the loopback interface, unless already set.
     */
    public static SparkConf configuration(String appName, String master) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else {
            conf.setIfMissing("spark.master", DEFAULT_MASTER);
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.ui.showConsoleProgress", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }
}
