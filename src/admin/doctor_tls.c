/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: how long the site's certificate has left.
 * libcurl checked the chain and the name; this reads the end of the
 * validity period from the certificate it saw (PEM), with OpenSSL.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "doctor.h"

/*
 * The days (with their fraction) from now until the certificate pem
 * expires, negative when it has.  Returns 0, or -1 with err set.
 */
int
dr_cert_days_left(const char *pem, double *days, char *err, size_t errsz)
{
	BIO		*b = NULL;
	X509		*x = NULL;
	int		 d, s, rc = -1;

	if ((b = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errsz, "the server's certificate cannot be read");
		goto out;
	}
	if (!ASN1_TIME_diff(&d, &s, NULL, X509_get0_notAfter(x))) {
		snprintf(err, errsz, "the certificate's expiry cannot be read");
		goto out;
	}
	*days = d + s / 86400.0;
	rc = 0;
out:
	X509_free(x);
	BIO_free(b);
	return rc;
}
