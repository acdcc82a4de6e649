// Package deploy holds the tests of the deployment files in this folder
// (the Dockerfile and compose setup); the Helm chart's are in ./helm and
// the alerts' in ./prometheus.
package deploy
