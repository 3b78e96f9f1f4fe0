/*
 * deploy/curl_unreached.c — failing stand-ins for the LDAP, RTMP and
 * GSS-API (Kerberos/Negotiate) functions that Debian's libcurl.a refers
 * to, linked only into the runtime image's binary (make STATIC=1).
 *
 * Why: libcurl.a's table of protocol handlers refers to its LDAP and RTMP
 * code, and its Negotiate/Kerberos auth to GSS-API, so a static link needs
 * those symbols. Debian has no static GSS-API, and its static LDAP and RTMP
 * pull in GnuTLS, Nettle, GMP and SASL: megabytes of a second TLS stack.
 * Anywhere never reaches that code: src/host restricts libcurl to
 * "http,https" (CURLOPT_PROTOCOLS_STR) and never asks for Negotiate auth.
 * Should it ever be reached, each stand-in fails the way its real library
 * reports "unavailable", and libcurl turns that into an ordinary error.
 */
#include <stddef.h>
#include <stdint.h>

/* ---- GSS-API: major status GSS_S_UNAVAILABLE (16 << 16), minor 0.
 * Every function libcurl calls takes the minor-status pointer first; the
 * remaining arguments are ignored (the caller cleans up its own stack). */
#define AW_GSS_UNAVAILABLE ((uint32_t)16 << 16)
#define AW_GSS_STUB(name, result) \
    uint32_t name(uint32_t *minor); \
    uint32_t name(uint32_t *minor) { if (minor) *minor = 0; return (result); }

AW_GSS_STUB(gss_import_name, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_init_sec_context, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_inquire_context, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_display_name, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_display_status, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_wrap, AW_GSS_UNAVAILABLE)
AW_GSS_STUB(gss_unwrap, AW_GSS_UNAVAILABLE)
/* Releasing nothing succeeds. */
AW_GSS_STUB(gss_release_buffer, 0)
AW_GSS_STUB(gss_release_name, 0)
AW_GSS_STUB(gss_delete_sec_context, 0)
/* gss_OID GSS_C_NT_HOSTBASED_SERVICE: the name type libcurl passes along. */
void *const GSS_C_NT_HOSTBASED_SERVICE = NULL;

/* ---- OpenLDAP: LDAP_NOT_SUPPORTED (-12) or "no such thing". Stand-ins
 * that return an int or nothing, whatever the real arguments. */
#define AW_LDAP_NOT_SUPPORTED (-12)
#define AW_INT_STUB(name, result) \
    int name(void); \
    int name(void) { return (result); }
#define AW_VOID_STUB(name) \
    void name(void *p); \
    void name(void *p) { (void)p; }

/* Parsing the URL is libcurl's first call: LDAP_URL_ERR_BADSCHEME (3). */
AW_INT_STUB(ldap_url_parse, 3)
AW_INT_STUB(ldap_pvt_url_scheme2proto, -1)
AW_INT_STUB(ldap_init_fd, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_get_option, -1)
AW_INT_STUB(ldap_set_option, -1)
AW_INT_STUB(ldap_start_tls, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_sasl_bind, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_search_ext, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_result, -1)
AW_INT_STUB(ldap_msgtype, -1)
AW_INT_STUB(ldap_parse_result, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_parse_sasl_bind_result, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_get_dn_ber, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_get_attribute_ber, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_abandon_ext, AW_LDAP_NOT_SUPPORTED)
AW_INT_STUB(ldap_unbind_ext, 0)
AW_INT_STUB(ldap_msgfree, 0)
AW_INT_STUB(ber_sockbuf_add_io, -1)
AW_VOID_STUB(ldap_memfree)
AW_VOID_STUB(ldap_free_urldesc)
AW_VOID_STUB(ber_free)
AW_VOID_STUB(ber_memfree)
AW_VOID_STUB(ber_bvfree)

const char *ldap_err2string(int err);
const char *ldap_err2string(int err)
{
    (void)err;
    return "LDAP is not built into this binary";
}

/* ---- librtmp: RTMP_Alloc's NULL makes libcurl fail the transfer
 * (out of memory) before any other RTMP_ function is called. */
void *RTMP_Alloc(void);
void *RTMP_Alloc(void) { return NULL; }
AW_VOID_STUB(RTMP_Init)
AW_VOID_STUB(RTMP_Free)
AW_VOID_STUB(RTMP_Close)
AW_VOID_STUB(RTMP_SetBufferMS)
AW_INT_STUB(RTMP_SetupURL, 0)
AW_INT_STUB(RTMP_Connect1, 0)
AW_INT_STUB(RTMP_ConnectStream, 0)
AW_INT_STUB(RTMP_Read, -1)
AW_INT_STUB(RTMP_Write, -1)
