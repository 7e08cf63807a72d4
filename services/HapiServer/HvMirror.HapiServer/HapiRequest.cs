using HvMirror.Hapi;
using Microsoft.AspNetCore.Http;

namespace HvMirror.HapiServer;

/// <summary>Reads a HAPI request's query strictly: unknown names are 1401, a name given twice is 1400.</summary>
internal sealed class HapiRequest
{
    private readonly IQueryCollection _query;

    public HapiRequest(HttpRequest request, IReadOnlyCollection<string> allowed, string endpoint)
    {
        _query = request.Query;
        foreach (var (key, values) in _query)
        {
            if (!allowed.Contains(key))
            {
                var accepted = allowed.Count == 0 ? "no request parameters" : $"only {string.Join(", ", allowed)}";
                throw new HapiException(HapiStatus.UnknownRequestParameter,
                    $"{HapiStatus.Message(HapiStatus.UnknownRequestParameter)}: /hapi/{endpoint} accepts {accepted}.");
            }
            if (values.Count > 1)
                throw new HapiException(HapiStatus.BadRequest,
                    $"{HapiStatus.Message(HapiStatus.BadRequest)}: a request parameter of /hapi/{endpoint} is given more than once.");
        }
    }

    public bool Has(string name) => _query.ContainsKey(name);

    public string? Get(string name) => _query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>
    /// The dataset id under its HAPI 3 name <c>dataset</c> or HAPI 2 name <c>id</c>; also tells which generation of names
    /// the request uses. Mixing <paramref name="v3"/> and <paramref name="v2"/> names is a 1400.
    /// </summary>
    public bool UsesHapi2Names(string[] v3, string[] v2, string endpoint)
    {
        var any3 = v3.Any(Has);
        var any2 = v2.Any(Has);
        if (any3 && any2)
            throw new HapiException(HapiStatus.BadRequest,
                $"{HapiStatus.Message(HapiStatus.BadRequest)}: /hapi/{endpoint} takes either the HAPI 3 names ({string.Join(", ", v3)}) " +
                $"or the HAPI 2 names ({string.Join(", ", v2)}), not a mix of both.");
        return any2;
    }

    /// <summary>
    /// The dataset under <paramref name="name"/>: required (1400), and a dataset this server can hold (1406) — a
    /// source's file dataset or one of its companions.
    /// </summary>
    public HapiDatasetRef RequireDataset(string name)
    {
        var id = Get(name);
        if (string.IsNullOrEmpty(id))
            throw new HapiException(HapiStatus.BadRequest, $"{HapiStatus.Message(HapiStatus.BadRequest)}: {name} is required (see /hapi/catalog for the datasets).");
        return HapiDatasetKind.Resolve(id) ?? throw UnknownDataset();
    }

    public static HapiException UnknownDataset() => new(HapiStatus.UnknownDataset,
        $"{HapiStatus.Message(HapiStatus.UnknownDataset)}: /hapi/catalog lists the datasets this server holds (ids are case-sensitive).");

    public void CheckResolveReferences()
    {
        var value = Get("resolve_references");
        if (!string.IsNullOrEmpty(value) && value is not ("true" or "false"))
            throw new HapiException(HapiStatus.UnsupportedResolveReferences,
                $"{HapiStatus.Message(HapiStatus.UnsupportedResolveReferences)}: resolve_references is true or false.");
    }
}
