"""schemathesis hooks for scripts/fuzz-api.sh: generated `audio/mpeg` bodies go out as
raw bytes, like `application/octet-stream`."""

import schemathesis

schemathesis.serializer.alias("audio/mpeg", "application/octet-stream")
