// Replaced by the pipeline configuration tests.
import Testing
