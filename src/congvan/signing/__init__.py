"""Digital signatures (chữ ký số): PAdES signing of PDFs with the leader's and the agency's
certificates, software keys (PKCS#12) and tokens (PKCS#11), and validation on receipt.

The modules without Django (pki, keys, stamps, pdfsign, verify) are usable on their own;
models/services connect them to people, agencies and documents."""
