using System.Net;
using System.Text;
using System.Text.Json;

namespace HvMirror.HapiServer.Tests;

internal static class TestHelpers
{
    public static async Task<(HttpStatusCode Status, JsonElement Json, string Body)> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        return (response.StatusCode, doc.RootElement.Clone(), body);
    }

    public static int HapiCode(this JsonElement json) => json.GetProperty("status").GetProperty("code").GetInt32();

    public static string HapiMessage(this JsonElement json) => json.GetProperty("status").GetProperty("message").GetString()!;

    /// <summary>A strict RFC 4180 reader for the tests: quoted fields, doubled quotes, LF line ends.</summary>
    public static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    rows.Add(fields.ToArray()); fields.Clear();
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || fields.Count > 0)
            throw new FormatException("The CSV does not end with a line break.");
        return rows;
    }

    public static string Q(string value) => Uri.EscapeDataString(value);
}
