/*
 * k8s_priv.h: helpers shared by core/kube/k8s_*.c. Private to core/kube/k8s*; not
 * part of the API (k8s.h is).
 *
 * Names: xc_k8s_code_ xc_k8s_fail xc_k8s_http_ xc_k8s_query xc_k8s_status_
 */
#ifndef XC_K8S_PRIV_H
#define XC_K8S_PRIV_H

#include <stdint.h>

#include "kube/k8s.h"

/* A request's path and query: continue tokens and selectors can be long. */
#define XC_K8S_REQ_PATH_MAX 4096

/* Set k->err (printf-style) and return rc. */
int xc_k8s_fail(struct xc_k8s_client *k, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Append "&name=value" (or "?name=value" when out has no '?' yet) to the
 * path in out, percent-encoding value. -E2BIG when it does not fit.
 */
int xc_k8s_query(char *out, size_t size, const char *name, const char *value);

/* Append the selectors of sel (may be NULL) as query parameters. */
int xc_k8s_query_sel(char *out, size_t size, const struct xc_k8s_select *sel);

/*
 * The response head in k->http.resp is not a success: read what there is
 * of its body into buf (a Status, normally), set k->retry_after and
 * k->err ("WHAT: 404 NotFound: message") and return the errno for the
 * code: 401 -EACCES, 403 -EPERM, 404 -ENOENT, 410 -ESTALE, 429 and 5xx
 * -EAGAIN, else -EPROTO.
 */
int xc_k8s_http_error(struct xc_k8s_client *k, const char *what, char *buf, size_t size);

/*
 * The errno for an API status code (as above), and the text of a Status
 * object ("410 Expired: message") into msg. *retry_after gets
 * details.retryAfterSeconds when present.
 */
int xc_k8s_status_text(const struct xc_json *status, int code, char *msg, size_t size,
		       long *retry_after);

#endif
