package convert

// ValidateManifest is the Kubernetes API validation the reverse tests apply, for the tests of
// package convert_test.
var ValidateManifest = rvValidateManifest
