/** Deploy files generated from the job files: the tables the gcloud scripts read and the Kubernetes manifests. */
package ai.cloudact.jobs.deploy;
