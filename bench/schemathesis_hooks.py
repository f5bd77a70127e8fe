# Loaded by bench/schemathesis.sh (SCHEMATHESIS_HOOKS): request bodies the fuzzer cannot
# serialize by itself. POST /api/replies takes a raw e-mail (message/rfc822): generated
# strings are sent as its text, as they would be for text/plain.
import schemathesis

schemathesis.serializer.alias("message/rfc822", "text/plain")
