package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aisync/backend/service"
	"aisync/backend/store"
)

// problem turns a service error into the RFC 9457 answer a caller can act on. location, when
// given, names the request field the error is about (e.g. "body.clients"), so that a 422
// says which field and why, like huma's own validation errors.
func (s *Server) problem(ctx context.Context, err error, location ...string) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	msg := err.Error()
	details := func() []error {
		if len(location) == 0 {
			return nil
		}
		return []error{&huma.ErrorDetail{Location: location[0], Message: msg}}
	}
	switch {
	case errors.Is(err, errTooLarge):
		return huma.NewError(http.StatusRequestEntityTooLarge, msg)
	case errors.Is(err, store.ErrNotFound):
		return huma.Error404NotFound(msg)
	case errors.Is(err, store.ErrConflictResolved):
		return huma.Error409Conflict(msg)
	case errors.Is(err, service.ErrUnauthorized):
		return huma.Error401Unauthorized(msg)
	case errors.Is(err, service.ErrNoAdminPassword):
		return huma.Error403Forbidden(msg)
	case errors.Is(err, service.ErrBadBackup):
		return huma.Error400BadRequest(msg, details()...)
	case errors.Is(err, service.ErrInvalid), errors.Is(err, store.ErrInvalidCursor), errors.Is(err, store.ErrInvalidArgument):
		return huma.Error422UnprocessableEntity(msg, details()...)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return huma.Error503ServiceUnavailable("request cancelled")
	}
	s.log.Error("api request failed", "err", err)
	return huma.Error500InternalServerError(msg)
}
