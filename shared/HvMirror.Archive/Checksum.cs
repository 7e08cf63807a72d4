using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace HvMirror.Archive;

/// <summary>
/// A self-describing file checksum in the OCI digest form, <c>sha256:&lt;64 lowercase hex&gt;</c>.
/// Only sha256 is produced or accepted; the algorithm prefix lets a client name what it does not know instead of
/// mistaking it for a mismatch.
/// </summary>
public readonly record struct Checksum(string Algorithm, string Hex)
{
    public const string Sha256Algorithm = "sha256";

    private const int Sha256HexLength = SHA256.HashSizeInBytes * 2;

    /// <summary>Wraps a finished SHA-256 digest (32 bytes).</summary>
    public static Checksum Sha256(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != SHA256.HashSizeInBytes)
            throw new ArgumentException($"A SHA-256 digest has {SHA256.HashSizeInBytes} bytes, not {digest.Length}.", nameof(digest));
        return new Checksum(Sha256Algorithm, Convert.ToHexStringLower(digest));
    }

    /// <summary>The checksum of some bytes held in memory.</summary>
    public static Checksum Sha256Of(ReadOnlySpan<byte> content) => Sha256(SHA256.HashData(content));

    /// <summary>The checksum of a stream's remaining content.</summary>
    public static async Task<Checksum> Sha256OfAsync(Stream content, CancellationToken cancellationToken = default) =>
        Sha256(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads <c>sha256:&lt;64 lowercase hex&gt;</c>; any other text gives a reason a person can act on.</summary>
    public static bool TryParse(string? text, out Checksum checksum, [NotNullWhen(false)] out string? error)
    {
        checksum = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "checksum is empty; expected 'sha256:<64 lowercase hex digits>'";
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            error = $"checksum '{Shown(text)}' has no algorithm prefix; expected 'sha256:<64 lowercase hex digits>'";
            return false;
        }

        var algorithm = text[..colon];
        var hex = text[(colon + 1)..];
        if (algorithm != Sha256Algorithm)
        {
            error = algorithm.Equals(Sha256Algorithm, StringComparison.OrdinalIgnoreCase)
                ? $"checksum algorithm '{Shown(algorithm)}' must be written in lowercase: 'sha256'"
                : $"unsupported checksum algorithm '{Shown(algorithm)}'; only sha256 is supported ('sha256:<64 lowercase hex digits>')";
            return false;
        }
        if (hex.Length != Sha256HexLength)
        {
            error = $"sha256 checksum has {hex.Length} hex digits; it must have exactly {Sha256HexLength}";
            return false;
        }
        for (var i = 0; i < hex.Length; i++)
        {
            var c = hex[i];
            if (char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')
                continue;
            error = char.IsAsciiHexDigitUpper(c)
                ? $"sha256 checksum has the uppercase hex digit '{c}' at position {i}; hex digits must be lowercase"
                : $"sha256 checksum has '{Shown(c.ToString())}' at position {i}, which is not a hex digit (0-9, a-f)";
            return false;
        }

        checksum = new Checksum(algorithm, hex);
        error = null;
        return true;
    }

    /// <exception cref="FormatException">The text is not <c>sha256:&lt;64 lowercase hex&gt;</c>; the message says why.</exception>
    public static Checksum Parse(string text) =>
        TryParse(text, out var checksum, out var error) ? checksum : throw new FormatException(error);

    public override string ToString() => $"{Algorithm}:{Hex}";

    private static string Shown(string text) => HelioviewerFileName.Printable(text.Length > 80 ? text[..80] + "..." : text);
}
