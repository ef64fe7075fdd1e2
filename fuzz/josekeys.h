/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Fixed key pairs for the "signed" mode of fuzz/jose.c: made once with
 * openssl genpkey for the fuzzer alone and used nowhere else.  They
 * are fixed so that a token signed with them in one run verifies in
 * the next, and so that a crash input replays the same way.
 */
#ifndef MCP_FUZZ_JOSEKEYS_H
#define MCP_FUZZ_JOSEKEYS_H

/* RSA, 2048 bits (RS256 and PS256). */
static const char fuzz_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCrVUafg2J4NALO\n"
    "4ZLCzvdCaFtXBKZmPxSmH64YRniDf1N19UEDaIFcKZoUSJperxsrYjtsU2UyZtO6\n"
    "FGkuSGAAwojVKe/vaQYXEWH67csZbxknFFMSijk1yHsB73k6fOwqAYaYllebsx94\n"
    "QkZRFVKUnvDKC3pKOB4WETKuNn7Ug/YPE1ZFKSyGKAoUy7Gg4qsxe0cT/bzbHeiN\n"
    "ci75x/y3U/C1f0Ufp+wRdKjqkSiKQ6+ht4jV6DwqSg5ZDeVF3xYE03AUA4V+9XBx\n"
    "yWK/PdwVuvksxVSjdIccKnBtDAD7G81UYKN2PzEjrkXWPxDKSdshA/mH5wegu/Iw\n"
    "9RBncfh5AgMBAAECggEAFlxYjYB29UOqeygnAIxE6nKWuy5k7jK85ep8DPiDiXvw\n"
    "X1R9Ie39dhMK5CtOlF1roReetEZVDoUrjF1WFd+Fwguhkpp40UjmbdPLsxVeXKkq\n"
    "gfZt2h1Wlp2d6jSAIKFFrDzLPXZfpDc2O/qAVVxATRvKRsBFO1MEIDKp5+E+X8tL\n"
    "grJO5RcLyJ9fm9kh7dbJw70eTI56SD4iDqB0CA6W8mt9rnLUNs4uxBGmENm4kvW3\n"
    "I/nhCuS2rcTGFYePJQc06T7/N3f2WSEv3otOLCBcA5xXEevKQBO/RSqWZH1QEX4D\n"
    "n1OfltpApntEgJkKGCqq+Aq2Jeeos2ECsO46hDYyNQKBgQDSnOXOl49Tjgx1RAmX\n"
    "YFfa4ciblcfGEsrLg7GB0kodld4ZXDtAq4pcGgN7fffbAJfqfklG8U6QYzcvviro\n"
    "NEIFvdUfpokCQFPU99joeHowIcihEcESBf32cGJrqTGX8fRZ87k/EaLwBVOUf/VB\n"
    "/bmWWRq09SfXMin7kWw1RJPKFQKBgQDQQWPA0VydPvpFBcWxf1oEWf9VtyjaGGmr\n"
    "+ggR69hCsWsu29fWZutcIo8cbIXdkjjq6XhrCexIlQoW5ut/m0RHEsaKW8T/03zg\n"
    "Js+Gitbpng0vo7/MICkiB4OU4kVg/3RK++58euIU0KDN+CJiUY7KYf5gvdJ0HD2x\n"
    "ZYKK1d3B1QKBgCrd6lxJNs/f2qNHjNg1sMwJJoacTsP+8S3JCSkOPy2UYlcxEZJR\n"
    "F+E1Hj5VXkxB66m7uHhrBv2WZBYgk6Uddc6rW6SMhdhidW2kYI64bs47IhW+gliD\n"
    "xbQSHcYh8sklYwGn/K1cjphhzSgtfyLGXK7ARhJMz6YaPLdKWwbghWAdAoGBAJ6M\n"
    "Ccu0GJRGa/a8bEOztu51LeUt6lYQG/MoCZjLOvubYwRrrqi19h1Q2i9Dl66WMer2\n"
    "EA09oruna+T/rO6bYKHTc3/GWfaCJiHoqjm93dxBzbwlKFHZcjdMDSr+EN/F291y\n"
    "a6AtVY2PP71PWa4MdW8yp50zJtPq5DT4GShlpcx5AoGBAISFU61wFMBWhY5xi+t9\n"
    "I/RHCFB6k20bp5d6EVqlo3ag3wSN30BkCY6lcz/3BnIaYlk+6vaiXnzCcJPWKW6t\n"
    "KOIhx+pH3FlbrBZb1Q4WEbbQY3FO/+t7w/h5DJagVt7N0vFZx+auKORLUs3ZFRlt\n"
    "HwBVxIC4TWRPNAWIsgAiT+8L\n"
    "-----END PRIVATE KEY-----\n";

/* EC P-256 (ES256). */
static const char fuzz_ec_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFkBl2FY+g/HOey8X\n"
    "80w4Q//us0Qns5bNRgtUo3xIAkihRANCAASUAPCG4J1qZADt/X8dy9f6BH8KoFrK\n"
    "IHe5yv21vkDn6M09UBSQQ7KRg00VAsinR7x4m46SPdoX7YsASVczeFHq\n"
    "-----END PRIVATE KEY-----\n";

/* Ed25519 (EdDSA). */
static const char fuzz_ed_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJm70Gn1xxbnT/gELeREPZrCYmPeYxpSV26U/r/F0mfd\n"
    "-----END PRIVATE KEY-----\n";

#endif
