"""Road networks: SUMO .net.xml read into intersections, OpenStreetMap conversion, generated test grids."""
