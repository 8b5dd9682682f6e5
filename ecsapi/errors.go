package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// OpError is a failed AWS call: the operation, the AWS error code and message when AWS answered,
// or what kept the request from being answered (an unreachable endpoint, a timeout, missing
// credentials).
type OpError struct {
	Operation string
	// Code is the AWS error code (ClusterNotFoundException, AccessDeniedException, …), empty when
	// no answer came.
	Code    string
	Message string
	Err     error
}

// Error renders "CreateService: InvalidParameterException: message".
func (e *OpError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %s: %s", e.Operation, e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Operation, e.Message)
}

// Unwrap returns the SDK error.
func (e *OpError) Unwrap() error { return e.Err }

// WrapError wraps an error of the ECS call op as an *OpError, as the other ECS calls of this
// package report theirs.
func WrapError(op string, err error) error { return opError(op, err) }

// opError wraps an SDK error of the call op; an *OpError of op (the error of a call of
// awsclient.go) is already that.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	if oe, ok := errors.AsType[*OpError](err); ok && oe.Operation == op {
		return oe
	}
	e := &OpError{Operation: op, Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
		return e
	}
	e.Message = transportMessage(err, "ECS")
	return e
}

// transportMessage says why a request to the endpoint of service got no answer, without the
// SDK's wrapping.
func transportMessage(err error, service string) string {
	var msg string
	var ne *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg = "timed out"
	case errors.Is(err, context.Canceled):
		msg = "cancelled"
	case errors.As(err, &ne):
		msg = "cannot reach the " + service + " endpoint: " + ne.Error()
	default:
		msg = err.Error()
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			msg = oe.Err.Error()
		}
		msg = strings.TrimPrefix(msg, "https response error StatusCode: 0, RequestID: , ")
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		msg += fmt.Sprintf(" (gave up after %d attempts)", me.Attempt)
	}
	return msg
}
