package ai.cloudact.jobs.beans;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQueryOptions;
import org.apache.camel.component.google.bigquery.GoogleBigQueryConnectionFactory;

/**
 * The BigQuery connection for jobs that use one. With {@code BIGQUERY_EMULATOR_HOST} set (emulators,
 * tests, the local sandbox) requests go there without credentials; otherwise the client uses the
 * Application Default Credentials (the job's service account on Cloud Run).
 */
public final class BigQueryConnections {

    private BigQueryConnections() {
    }

    public static GoogleBigQueryConnectionFactory create(String projectId, String emulatorHost) {
        if (emulatorHost == null || emulatorHost.isBlank()) {
            return new GoogleBigQueryConnectionFactory();
        }
        return new GoogleBigQueryConnectionFactory(BigQueryOptions.newBuilder()
                .setProjectId(projectId)
                .setHost(emulatorHost.trim())
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService());
    }
}
