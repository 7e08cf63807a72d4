namespace HvMirror.ServiceDefaults;

/// <summary>An <c>amqp://user:pass@host:port/vhost</c> connection string, taken apart (and checked) once.</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    public static RabbitMqAddress Parse(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new FormatException("ConnectionStrings:RabbitMq must look like amqp://user:password@host:5672/vhost (amqps:// for TLS).");
        var userInfo = uri.UserInfo.Split(':', 2);
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqAddress(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port),
            vhost.Length == 0 ? "/" : vhost,
            userInfo[0].Length == 0 ? "guest" : Uri.UnescapeDataString(userInfo[0]),
            userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest",
            uri.Scheme == "amqps");
    }

    public override string ToString() => $"amqp{(UseTls ? "s" : "")}://{Username}@{Host}:{Port}/{VirtualHost}";
}
