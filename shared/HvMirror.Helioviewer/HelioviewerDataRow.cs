namespace HvMirror.Helioviewer;

/// <summary>
/// One row of Helioviewer's <c>data</c> table, every column but <c>id</c>, in table order. The FLOAT columns are
/// <see cref="float"/>: MariaDB stores them as float32, so a row read back equals the row written.
/// </summary>
/// <param name="Filepath">The archive folder with a leading slash, e.g. <c>/AIA/2024/04/16/304</c>.</param>
/// <param name="Filename">The file name, the table's UNIQUE key.</param>
/// <param name="Date">The observation time (UTC) in whole seconds.</param>
/// <param name="DateEnd">Always null in what Helioviewer's ingestion writes.</param>
/// <param name="Process">Always 1 in what Helioviewer's ingestion writes.</param>
/// <param name="GroupOne">The XRT filter groups (<c>getImageGroup</c> in <c>jp2.py</c>); 0 for every other source.</param>
public sealed record HelioviewerDataRow(
    string Filepath,
    string Filename,
    DateTime Date,
    DateTime? DateEnd,
    int SourceId,
    float Scale,
    int Width,
    int Height,
    float RefPixelX,
    float RefPixelY,
    int LayeringOrder,
    float DsunObs,
    float SolarR,
    float Radius,
    float Cdelt1,
    float Cdelt2,
    float Crval1,
    float Crval2,
    float Crpix1,
    float Crpix2,
    float Xcen,
    float Ycen,
    float Crota1,
    int Process,
    int GroupOne,
    int GroupTwo,
    int GroupThree)
{
    /// <summary>The table's columns after <c>id</c>, in table order (the order hvpull's positional INSERT relies on).</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "filepath", "filename", "date", "date_end", "sourceId", "scale", "width", "height", "refPixelX", "refPixelY",
        "layeringOrder", "DSUN_OBS", "SOLAR_R", "RADIUS", "CDELT1", "CDELT2", "CRVAL1", "CRVAL2", "CRPIX1", "CRPIX2",
        "XCEN", "YCEN", "CROTA1", "process", "groupOne", "groupTwo", "groupThree",
    ];

    /// <summary>The values in <see cref="Columns"/> order.</summary>
    public object?[] Values() =>
    [
        Filepath, Filename, Date, DateEnd, SourceId, Scale, Width, Height, RefPixelX, RefPixelY,
        LayeringOrder, DsunObs, SolarR, Radius, Cdelt1, Cdelt2, Crval1, Crval2, Crpix1, Crpix2,
        Xcen, Ycen, Crota1, Process, GroupOne, GroupTwo, GroupThree,
    ];
}
