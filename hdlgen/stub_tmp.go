package hdlgen


func scriptFiles(r *RTL) []File            { return nil }
