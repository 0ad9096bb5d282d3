// The few NSS functions Debian's static libsrtp2 calls, implemented on OpenSSL's libcrypto.
//
// Why: Debian builds libsrtp2 with its NSS crypto backend (aes_icm_nss.o, aes_gcm_nss.o,
// hmac_nss.o), and NSS ships no static library. Linking libsrtp2.a into the portable shim
// (cmake/tg_owt_shared_link.cmake) therefore needs these definitions, hidden inside the library:
// AES counter mode (SRTP AES-CM), AES-GCM (RFC 7714) and HMAC-SHA1 (SRTP authentication), on the
// statically linked libcrypto the shim already carries for DTLS. libsrtp runs its known-answer
// self-tests for every cipher and authenticator when srtp_init() registers them, so a wrong
// definition here fails srtp_init (and tests/srtp_crypto_test.cc checks exactly that).
//
// Only what libsrtp 2.5's NSS backend uses is implemented; anything else fails with SECFailure.
#include <nss.h>
#include <pk11pub.h>
#include <pkcs11n.h>
#include <prerror.h>
#include <secerr.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <new>
#include <vector>

struct NSSInitContextStr {
  int unused;
};
struct PK11SlotInfoStr {
  int unused;
};
struct PK11SymKeyStr {
  CK_MECHANISM_TYPE mechanism;
  std::vector<unsigned char> bytes;
  ~PK11SymKeyStr() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};
struct PK11ContextStr {
  CK_MECHANISM_TYPE mechanism;
  EVP_CIPHER_CTX* cipher = nullptr;        // CKM_AES_CTR
  EVP_MD_CTX* digest = nullptr;            // CKM_SHA_1_HMAC
  EVP_PKEY* hmac_key = nullptr;
  ~PK11ContextStr() {
    EVP_CIPHER_CTX_free(cipher);
    EVP_MD_CTX_free(digest);
    EVP_PKEY_free(hmac_key);
  }
};

namespace {

thread_local PRErrorCode last_error = 0;

SECStatus Fail(PRErrorCode code) {
  last_error = code;
  return SECFailure;
}

const EVP_CIPHER* AesCipher(size_t key_bytes, bool gcm) {
  switch (key_bytes) {
    case 16: return gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
    case 24: return gcm ? EVP_aes_192_gcm() : EVP_aes_192_ctr();
    case 32: return gcm ? EVP_aes_256_gcm() : EVP_aes_256_ctr();
    default: return nullptr;
  }
}

// libsrtp passes CK_GCM_PARAMS, whose layout depends on NSS_PKCS11_2_0_COMPAT at its build:
// the PKCS #11 v3 layout (with ulIvBits) or NSS's older one. The parameter's length tells which.
struct GcmParameters {
  const unsigned char* iv;
  size_t iv_bytes;
  const unsigned char* aad;
  size_t aad_bytes;
  size_t tag_bytes;
};
bool ReadGcmParameters(const SECItem* param, GcmParameters& out) {
  if (param == nullptr || param->data == nullptr) return false;
  if (param->len == sizeof(CK_GCM_PARAMS_V3)) {
    CK_GCM_PARAMS_V3 p;
    std::memcpy(&p, param->data, sizeof(p));
    out = {p.pIv, p.ulIvLen, p.pAAD, p.ulAADLen, p.ulTagBits / 8};
  } else if (param->len == sizeof(CK_NSS_GCM_PARAMS)) {
    CK_NSS_GCM_PARAMS p;
    std::memcpy(&p, param->data, sizeof(p));
    out = {p.pIv, p.ulIvLen, p.pAAD, p.ulAADLen, p.ulTagBits / 8};
  } else {
    return false;
  }
  return out.tag_bytes >= 4 && out.tag_bytes <= 16 && out.iv_bytes > 0;
}

// One-shot AES-GCM: encrypt writes ciphertext then tag; decrypt reads them and checks the tag
// (SEC_ERROR_BAD_DATA when it does not match, which libsrtp maps to an authentication failure).
SECStatus Gcm(bool encrypt, PK11SymKey* key, SECItem* param, unsigned char* out, unsigned int* out_len,
              unsigned int max_len, const unsigned char* data, unsigned int data_len) {
  GcmParameters p;
  const EVP_CIPHER* cipher = key ? AesCipher(key->bytes.size(), true) : nullptr;
  if (cipher == nullptr || !ReadGcmParameters(param, p) || out_len == nullptr) return Fail(SEC_ERROR_INVALID_ARGS);
  if (!encrypt && data_len < p.tag_bytes) return Fail(SEC_ERROR_BAD_DATA);
  unsigned int text_len = encrypt ? data_len : data_len - static_cast<unsigned int>(p.tag_bytes);
  unsigned int needed = encrypt ? data_len + static_cast<unsigned int>(p.tag_bytes) : text_len;
  if (needed > max_len) return Fail(SEC_ERROR_OUTPUT_LEN);

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return Fail(SEC_ERROR_NO_MEMORY);
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(p.iv_bytes), nullptr) == 1 &&
            EVP_CipherInit_ex(ctx, nullptr, nullptr, key->bytes.data(), p.iv, -1) == 1 &&
            (p.aad_bytes == 0 || EVP_CipherUpdate(ctx, nullptr, &len, p.aad, static_cast<int>(p.aad_bytes)) == 1) &&
            (text_len == 0 || EVP_CipherUpdate(ctx, out, &len, data, static_cast<int>(text_len)) == 1);
  if (ok && !encrypt) {
    // The tag is read before the output may overwrite it (libsrtp decrypts in place).
    unsigned char tag[16];
    std::memcpy(tag, data + text_len, p.tag_bytes);
    ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(p.tag_bytes), tag) == 1;
  }
  int final_len = 0;
  bool authentic = ok && EVP_CipherFinal_ex(ctx, out + text_len, &final_len) == 1;
  if (authentic && encrypt) {
    authentic = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(p.tag_bytes), out + text_len) == 1;
  }
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Fail(SEC_ERROR_LIBRARY_FAILURE);
  if (!authentic) return Fail(SEC_ERROR_BAD_DATA);
  *out_len = needed;
  return SECSuccess;
}

}  // namespace

extern "C" {

NSSInitContext* NSS_InitContext(const char*, const char*, const char*, const char*,
                                                                       NSSInitParameters*, PRUint32) {
  return new (std::nothrow) NSSInitContext{};
}

SECStatus NSS_ShutdownContext(NSSInitContext* context) {
  delete context;
  return SECSuccess;
}

PRErrorCode PR_GetError(void) { return last_error; }

PK11SlotInfo* PK11_GetBestSlot(CK_MECHANISM_TYPE, void*) {
  static PK11SlotInfo slot{};
  return &slot;
}

void PK11_FreeSlot(PK11SlotInfo*) {}

PK11SymKey* PK11_ImportSymKey(PK11SlotInfo*, CK_MECHANISM_TYPE type, PK11Origin,
                                                                   CK_ATTRIBUTE_TYPE, SECItem* key, void*) {
  if (key == nullptr || (key->data == nullptr && key->len > 0)) return nullptr;
  auto* result = new (std::nothrow) PK11SymKey{type, {}};
  if (result == nullptr) return nullptr;
  result->bytes.assign(key->data, key->data + key->len);
  return result;
}

void PK11_FreeSymKey(PK11SymKey* key) { delete key; }

PK11Context* PK11_CreateContextBySymKey(CK_MECHANISM_TYPE type, CK_ATTRIBUTE_TYPE,
                                                                             PK11SymKey* key, const SECItem* param) {
  if (key == nullptr) return nullptr;
  auto* context = new (std::nothrow) PK11Context{type};
  if (context == nullptr) return nullptr;
  bool ok = false;
  if (type == CKM_AES_CTR && param != nullptr && param->data != nullptr && param->len == sizeof(CK_AES_CTR_PARAMS)) {
    // libsrtp's counter is 16 bits (ulCounterBits = 16); OpenSSL increments the whole block. They
    // differ only past 65536 blocks (1 MiB) in one packet, which SRTP never reaches.
    CK_AES_CTR_PARAMS ctr;
    std::memcpy(&ctr, param->data, sizeof(ctr));
    const EVP_CIPHER* cipher = AesCipher(key->bytes.size(), false);
    context->cipher = EVP_CIPHER_CTX_new();
    ok = cipher != nullptr && context->cipher != nullptr &&
         EVP_EncryptInit_ex(context->cipher, cipher, nullptr, key->bytes.data(), ctr.cb) == 1;
  } else if (type == CKM_SHA_1_HMAC) {
    context->hmac_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, nullptr, key->bytes.data(), key->bytes.size());
    context->digest = EVP_MD_CTX_new();
    ok = context->hmac_key != nullptr && context->digest != nullptr;
  }
  if (!ok) {
    delete context;
    return nullptr;
  }
  return context;
}

void PK11_DestroyContext(PK11Context* context, PRBool) { delete context; }

SECStatus PK11_CipherOp(PK11Context* context, unsigned char* out, int* out_len,
                                                             int max_out, const unsigned char* in, int in_len) {
  if (context == nullptr || context->cipher == nullptr || out_len == nullptr || in_len < 0) return Fail(SEC_ERROR_INVALID_ARGS);
  if (in_len > max_out) return Fail(SEC_ERROR_OUTPUT_LEN);
  if (in_len == 0) {
    *out_len = 0;
    return SECSuccess;
  }
  if (EVP_EncryptUpdate(context->cipher, out, out_len, in, in_len) != 1) return Fail(SEC_ERROR_LIBRARY_FAILURE);
  return SECSuccess;
}

SECStatus PK11_DigestBegin(PK11Context* context) {
  if (context == nullptr || context->digest == nullptr) return Fail(SEC_ERROR_INVALID_ARGS);
  if (EVP_DigestSignInit(context->digest, nullptr, EVP_sha1(), nullptr, context->hmac_key) != 1) {
    return Fail(SEC_ERROR_LIBRARY_FAILURE);
  }
  return SECSuccess;
}

SECStatus PK11_DigestOp(PK11Context* context, const unsigned char* in, unsigned len) {
  if (context == nullptr || context->digest == nullptr) return Fail(SEC_ERROR_INVALID_ARGS);
  if (len > 0 && EVP_DigestSignUpdate(context->digest, in, len) != 1) return Fail(SEC_ERROR_LIBRARY_FAILURE);
  return SECSuccess;
}

SECStatus PK11_DigestFinal(PK11Context* context, unsigned char* data,
                                                                unsigned int* out_len, unsigned int length) {
  if (context == nullptr || context->digest == nullptr || out_len == nullptr) return Fail(SEC_ERROR_INVALID_ARGS);
  size_t size = 0;
  if (EVP_DigestSignFinal(context->digest, nullptr, &size) != 1) return Fail(SEC_ERROR_LIBRARY_FAILURE);
  if (size > length) return Fail(SEC_ERROR_OUTPUT_LEN);
  if (EVP_DigestSignFinal(context->digest, data, &size) != 1) return Fail(SEC_ERROR_LIBRARY_FAILURE);
  *out_len = static_cast<unsigned int>(size);
  return SECSuccess;
}

SECStatus PK11_Encrypt(PK11SymKey* key, CK_MECHANISM_TYPE mechanism, SECItem* param,
                                                            unsigned char* out, unsigned int* out_len, unsigned int max_len,
                                                            const unsigned char* data, unsigned int data_len) {
  if (mechanism != CKM_AES_GCM) return Fail(SEC_ERROR_INVALID_ALGORITHM);
  return Gcm(true, key, param, out, out_len, max_len, data, data_len);
}

SECStatus PK11_Decrypt(PK11SymKey* key, CK_MECHANISM_TYPE mechanism, SECItem* param,
                                                            unsigned char* out, unsigned int* out_len, unsigned int max_len,
                                                            const unsigned char* data, unsigned int data_len) {
  if (mechanism != CKM_AES_GCM) return Fail(SEC_ERROR_INVALID_ALGORITHM);
  return Gcm(false, key, param, out, out_len, max_len, data, data_len);
}

}  // extern "C"
