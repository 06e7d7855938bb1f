package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The context configuration, without starting Spark. */
class AdjointSparkTest {

    @Test
    void noMasterMeansLocalWithEveryCoreOnLoopbackWithoutUi() {
        String previous = System.clearProperty("spark.master");
        try {
            SparkConf conf = AdjointSpark.configuration("app", null);
            assertEquals("local[*]", conf.get("spark.master"));
            assertEquals("app", conf.get("spark.app.name"));
            assertEquals("false", conf.get("spark.ui.enabled"));
            assertEquals("127.0.0.1", conf.get("spark.driver.host"));
            assertEquals("127.0.0.1", conf.get("spark.driver.bindAddress"));
        } finally {
            if (previous != null) {
                System.setProperty("spark.master", previous);
            }
        }
    }

    @Test
    void masterSetBySparkSubmitIsKeptAndClusterSettingsAreLeftAlone() {
        // spark-submit passes its settings to the driver as spark.* system properties.
        String previous = System.setProperty("spark.master", "spark://cluster:7077");
        try {
            SparkConf conf = AdjointSpark.configuration("app", null);
            assertEquals("spark://cluster:7077", conf.get("spark.master"));
            assertFalse(conf.contains("spark.driver.host"));
            assertFalse(conf.contains("spark.ui.enabled"));
            assertEquals("local[2]", AdjointSpark.configuration("app", "local[2]").get("spark.master"));
        } finally {
            if (previous == null) {
                System.clearProperty("spark.master");
            } else {
                System.setProperty("spark.master", previous);
            }
        }
    }
}
