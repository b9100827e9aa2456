package httpapi

import (
	"io"
	"mime"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// rawRequestBody hands an operation the request body as a stream. huma would read a
// declared body into memory; a 512 MiB archive must flow straight into the service.
type rawRequestBody struct {
	body        io.Reader
	length      int64 // Content-Length, or -1
	contentType string
}

type rawBodyKey struct{}

// rawBody is a huma operation middleware that puts the unread request body in the context.
func rawBody(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	next(huma.WithValue(ctx, rawBodyKey{}, &rawRequestBody{body: r.Body, length: r.ContentLength, contentType: r.Header.Get("Content-Type")}))
}

// limitedReader reads at most remaining bytes and notes when the stream holds more.
type limitedReader struct {
	r         io.Reader
	remaining int64
	over      bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.over {
		return 0, errTooLarge
	}
	if l.remaining <= 0 {
		var probe [1]byte
		n, err := l.r.Read(probe[:])
		if n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.remaining {
		p = p[:l.remaining]
	}
	n, err := l.r.Read(p)
	l.remaining -= int64(n)
	return n, err
}

// archiveType accepts the media types a .tar.gz may be sent as.
func archiveType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/gzip", "application/x-gzip", "application/octet-stream", "application/x-tar+gzip", "application/x-compressed-tar":
		return true
	}
	return false
}
