using HvMirror.Catalog;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HapiServer;

/// <summary>
/// <c>/hapi/data</c> for every kind of dataset: every request parameter is checked before any catalog work; the
/// records are streamed from the catalog as they are read, in csv or json.
/// </summary>
public sealed class HapiDataEndpoint(
    HapiDatasets datasets,
    CatalogDbContextFactory contexts,
    IngestionClock clock,
    HapiResponder responder)
{
    public static readonly string[] OutputFormats = ["csv", "json"];

    private static readonly string[] Names3 = ["dataset", "start", "stop"];
    private static readonly string[] Names2 = ["id", "time.min", "time.max"];
    private static readonly HashSet<string> Allowed = ["dataset", "start", "stop", "parameters", "include", "format", "id", "time.min", "time.max"];

    private const string TimeForms =
        "Times are UTC in HAPI's restricted ISO 8601: yyyy, yyyy-mm, yyyy-mm-dd or yyyy-ddd, optionally followed by " +
        "Thh, Thh:mm, Thh:mm:ss or Thh:mm:ss.f (1 to 9 fraction digits), optionally ending in Z";

    /// <summary>A data request once every parameter has been checked; the bounds are in whole microseconds.</summary>
    private sealed record Query(
        HapiDatasetRef Dataset, DateTime Start, DateTime Stop, string StartName, string StopName, string Format, bool WithHeader,
        IReadOnlyList<int> Parameters);

    public Task Data(HttpContext context) => responder.RunAsync(context, async () =>
    {
        var query = Check(context.Request);
        var ct = context.RequestAborted;
        await using var db = contexts.CreateDbContext();
        // Every record before the horizon is committed; later registrations get times at or after it.
        var horizon = await clock.HorizonAsync(db, query.Dataset.FileDataset, ct);
        var state = await datasets.FindAsync(db, query.Dataset, ct) ?? throw HapiRequest.UnknownDataset();
        var stopDate = datasets.StopDate();
        if (query.Start < state.StartDate || query.Stop > stopDate)
            throw new HapiException(HapiStatus.OutsideDatasetRange,
                $"{HapiStatus.Message(HapiStatus.OutsideDatasetRange)}: this dataset's records lie in " +
                $"[{HapiTime.Format(state.StartDate)}, {HapiTime.Format(stopDate)}); ask with {query.StartName} at or after " +
                $"{HapiTime.Format(state.StartDate)} and {query.StopName} at or before {HapiTime.Format(stopDate)} (see /hapi/info).");

        var kind = query.Dataset.Kind;
        var until = kind.CutAtHorizon && horizon < query.Stop ? horizon : query.Stop;
        if (HapiResponder.NotModified(context, state.LastIngestedAt, horizon, null))
            return;

        var response = context.Response;
        var json = query.Format == "json";
        response.ContentType = json ? "application/json; charset=utf-8" : "text/csv; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
            return;

        var rows = kind.Rows(db, query.Dataset.FileDataset, query.Start, until).AsAsyncEnumerable();
        await using var enumerator = rows.GetAsyncEnumerator(ct);
        var any = query.Start < until && await enumerator.MoveNextAsync();
        var status = any ? HapiStatus.Ok : HapiStatus.NoData;
        HapiResponder.SetReason(context, 200, status);

        var baseUrl = responder.BaseUrl(context.Request);
        var fields = query.Parameters.Select(index => kind.Parameters[index].Field).ToArray();
        var records = new HapiRecordStream(enumerator, any, fields, baseUrl);
        if (json)
            await HapiJsonDataWriter.WriteAsync(response.BodyWriter, datasets.Info(state, query.Parameters, status, baseUrl, "json"), records, ct);
        else
            await HapiCsvWriter.WriteAsync(response.BodyWriter,
                query.WithHeader ? datasets.Info(state, query.Parameters, status, baseUrl, "csv") : null, records, ct);
    });

    /// <summary>Checks every request parameter, in the order HAPI's error codes suggest, before the catalog is touched.</summary>
    private static Query Check(HttpRequest httpRequest)
    {
        var request = new HapiRequest(httpRequest, Allowed, "data");
        var v2 = request.UsesHapi2Names(Names3, Names2, "data");
        var id = request.RequireDataset(v2 ? "id" : "dataset");
        var startName = v2 ? "time.min" : "start";
        var stopName = v2 ? "time.max" : "stop";
        var startText = request.Get(startName);
        var stopText = request.Get(stopName);
        if (string.IsNullOrEmpty(startText))
            throw new HapiException(HapiStatus.BadStart, $"{HapiStatus.Message(HapiStatus.BadStart)}: {startName} is required.");
        if (string.IsNullOrEmpty(stopText))
            throw new HapiException(HapiStatus.BadStop, $"{HapiStatus.Message(HapiStatus.BadStop)}: {stopName} is required.");

        var format = request.Get("format");
        if (string.IsNullOrEmpty(format)) format = "csv";
        if (!OutputFormats.Contains(format))
            throw new HapiException(HapiStatus.UnsupportedFormat,
                $"{HapiStatus.Message(HapiStatus.UnsupportedFormat)}: the formats this server writes are {string.Join(", ", OutputFormats)} (see /hapi/capabilities).");
        var include = request.Get("include");
        if (!string.IsNullOrEmpty(include) && include != "header")
            throw new HapiException(HapiStatus.UnsupportedInclude,
                $"{HapiStatus.Message(HapiStatus.UnsupportedInclude)}: the only value of include is 'header'.");
        var parameters = id.Kind.SelectParameters(request.Get("parameters"));

        if (!HapiTime.TryParse(startText, out var start, out var startProblem))
            throw new HapiException(HapiStatus.BadStart, $"{HapiStatus.Message(HapiStatus.BadStart)}: {startProblem}. {TimeForms}");
        if (!HapiTime.TryParse(stopText, out var stop, out var stopProblem))
            throw new HapiException(HapiStatus.BadStop, $"{HapiStatus.Message(HapiStatus.BadStop)}: {stopProblem}. {TimeForms}");
        if (start >= stop)
            throw new HapiException(HapiStatus.StartNotBeforeStop,
                $"{HapiStatus.Message(HapiStatus.StartNotBeforeStop)}: {startName} is inclusive and {stopName} exclusive, so {startName} must come first.");

        // Catalog times have whole microseconds (and both providers store no finer), so rounding both bounds up to a
        // microsecond keeps "t >= start" and "t < stop" exact for every record.
        return new Query(id, CeilingToMicrosecond(start), CeilingToMicrosecond(stop), startName, stopName, format, include == "header", parameters);
    }

    private static DateTime CeilingToMicrosecond(DateTime value) =>
        value.Ticks % 10 == 0 || value.Ticks > DateTime.MaxValue.Ticks - 10
            ? value
            : new DateTime(value.Ticks - value.Ticks % 10 + 10, DateTimeKind.Utc);
}

/// <summary>
/// The records a data answer writes, read from the catalog one at a time: <see cref="Any"/> tells whether the enumerator
/// already stands on the first.
/// </summary>
internal sealed record HapiRecordStream(IAsyncEnumerator<HapiRow> Rows, bool Any, IReadOnlyList<HapiField> Fields, string BaseUrl);
