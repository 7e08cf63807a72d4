using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HvMirror.Hapi;

// The JSON answers of HAPI 3.3 (§3 and §4), as the server writes them and the client reads them. Every member is nullable
// because a client must be able to read what an upstream actually sent and say what is missing; the server fills in
// what the specification requires.

/// <summary>The status object every HAPI JSON answer carries (HAPI 3.3 §4.1).</summary>
public sealed record HapiResponseStatus(int? Code, string? Message)
{
    /// <summary>The status of <paramref name="code"/> with its standard message.</summary>
    public static HapiResponseStatus Of(int code) => new(code, HapiStatus.Message(code));
}

/// <summary>
/// What every HAPI JSON answer begins with: the version and the status. On its own it is the answer to a refused
/// request (HAPI 3.3 §4.2).
/// </summary>
public record HapiResponse
{
    [JsonPropertyName("HAPI"), JsonPropertyOrder(-2)]
    public string? Hapi { get; init; }

    [JsonPropertyOrder(-1)]
    public HapiResponseStatus? Status { get; init; }
}

/// <summary>The answer of <c>/capabilities</c> (HAPI 3.3 §3.4).</summary>
public sealed record HapiCapabilitiesResponse : HapiResponse
{
    public IReadOnlyList<string>? OutputFormats { get; init; }

    public IReadOnlyList<string>? CatalogDepthOptions { get; init; }
}

/// <summary>The answer of <c>/about</c> (HAPI 3.3 §3.3).</summary>
public sealed record HapiAboutResponse : HapiResponse
{
    public string? Id { get; init; }

    public string? Title { get; init; }

    public string? Contact { get; init; }

    public string? Description { get; init; }

    public string? Note { get; init; }
}

/// <summary>The answer of <c>/catalog</c> (HAPI 3.3 §3.5).</summary>
public sealed record HapiCatalogResponse : HapiResponse
{
    public IReadOnlyList<HapiCatalogDataset?>? Catalog { get; init; }
}

/// <summary>One dataset listed by <c>/catalog</c>; with <c>depth=all</c> also its info (without <c>HAPI</c> and <c>status</c>).</summary>
public sealed record HapiCatalogDataset(string? Id, string? Title, HapiInfoResponse? Info = null);

/// <summary>
/// The answer of <c>/info</c> (HAPI 3.3 §3.6.2), and the header of a <c>/data</c> answer, which adds <see cref="Format"/>.
/// </summary>
public sealed record HapiInfoResponse : HapiResponse
{
    public string? Format { get; init; }

    public string? StartDate { get; init; }

    public string? StopDate { get; init; }

    public string? TimeStampLocation { get; init; }

    public string? Description { get; init; }

    public string? ModificationDate { get; init; }

    public IReadOnlyList<HapiInfoParameter?>? Parameters { get; init; }

    /// <summary>
    /// The members a server adds of its own (named <c>x_…</c>), written after the standard ones: a string or an int is
    /// written as itself; what is read comes back as <see cref="System.Text.Json.JsonElement"/>.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, object>? Extensions { get; set; } // settable: System.Text.Json cannot bind extension data through init
}

/// <summary>One parameter of an <c>/info</c> answer (HAPI 3.3 §3.6.7).</summary>
public sealed record HapiInfoParameter
{
    public string? Name { get; init; }

    public string? Type { get; init; }

    /// <summary>
    /// A string, or an array of strings for an array parameter (HAPI 3.3 §3.6.10). Required even when there are none:
    /// null is written, not left out.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonNode? Units { get; init; }

    /// <summary>Required even when there is none: null is written, not left out.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Fill { get; init; }

    public int? Length { get; init; }

    public string? StringType { get; init; }

    public string? Description { get; init; }
}

/// <summary>
/// Reads and writes the HAPI answers without reflection. Names are matched exactly, as HAPI spells them; optional
/// members that are null are left out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HapiResponse))]
[JsonSerializable(typeof(HapiCapabilitiesResponse))]
[JsonSerializable(typeof(HapiAboutResponse))]
[JsonSerializable(typeof(HapiCatalogResponse))]
[JsonSerializable(typeof(HapiInfoResponse))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class HapiJsonContext : JsonSerializerContext;
