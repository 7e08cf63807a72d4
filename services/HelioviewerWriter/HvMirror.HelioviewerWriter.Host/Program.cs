using HvMirror.Node;

// The Helioviewer writer host of distributed mode: FileIngested (queue helioviewer-writer) → the file's row in Helioviewer's own database (HvMirror__Helioviewer__Database), its source enabled, its coverage bin recounted, a replaced file's tiles removed.
return await HvMirrorNode.RunHostAsync(args, "hvmirror-helioviewer-writer", NodeRoles.HelioviewerWriter);
