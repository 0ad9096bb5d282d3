namespace Dialtone.Sip.Auth;

/// <summary>The digest computation of RFC 2617 §3.2.2 and RFC 7616 §3.4.1–3.4.3, without any state.</summary>
public static class DigestCalculator
{
    /// <summary>
    /// The <c>response</c> value. <paramref name="qop"/> null means the RFC 2069 form (no nc/cnonce);
    /// <paramref name="body"/> is hashed for <c>auth-int</c>; <paramref name="cnonce"/> is needed for qop and -sess.
    /// </summary>
    public static string Response(
        DigestAlgorithm algorithm, string username, string realm, string password, string nonce,
        string method, string digestUri, string? qop, uint nonceCount, string? cnonce, ReadOnlySpan<byte> body = default)
    {
        var ha1 = algorithm.Hash($"{username}:{realm}:{password}");
        if (algorithm.IsSession())
            ha1 = algorithm.Hash($"{ha1}:{nonce}:{cnonce ?? throw new ArgumentNullException(nameof(cnonce), "-sess algorithms need a cnonce")}");
        var a2 = qop == "auth-int" ? $"{method}:{digestUri}:{algorithm.Hash(body)}" : $"{method}:{digestUri}";
        var ha2 = algorithm.Hash(a2);
        return qop is null
            ? algorithm.Hash($"{ha1}:{nonce}:{ha2}")
            : algorithm.Hash($"{ha1}:{nonce}:{NonceCount(nonceCount)}:{cnonce ?? throw new ArgumentNullException(nameof(cnonce))}:{qop}:{ha2}");
    }

    /// <summary>nc as 8 lower-case hex digits.</summary>
    public static string NonceCount(uint n) => n.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
