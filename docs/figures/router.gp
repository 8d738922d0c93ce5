# The router against the node count: node event -> route in the kernel
# (p50, p99) and the first full sync; ours (NodeList file source) and the
# seed's loop emulated (every 5 s: read all nodes, rewrite every route);
# the API source (fake API server, watch) at its one node count as points.
# The caption is the data's header (bench/data.sh).
# data: data/router.tsv data/router-api.tsv
# size: 800,460
set datafile separator "\t"
set datafile missing "-"
set logscale xy
set format y "%g"
set format x "%g"
set xlabel "nodes"
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set grid xtics ytics mytics lc rgb "#e4e4e4" lt 1
set style line 1 lc rgb "#1f5fa8" lw 2 pt 7 ps 0.8
set style line 2 lc rgb "#7fa8d8" lw 2 pt 9 ps 1 dt 2
set style line 3 lc rgb "#c4501b" lw 2 pt 7 ps 0.8
set style line 4 lc rgb "#eda070" lw 2 pt 9 ps 1 dt 2
set style line 5 lc rgb "#1f8a4c" lw 2 pt 5 ps 1
set style line 6 lc rgb "#1f8a4c" lw 2 pt 4 ps 1
set key left center Left reverse samplen 2.5 spacing 1.1 opaque box lc rgb "#cccccc" font ",10"
set multiplot title "The router against the node count: ours and the seed's 5 s poll" font ",13"
set size 0.5, 0.74
set origin 0, 0.2
set title "node event -> route in the kernel"
set ylabel "ms"
set label 1 data_what at screen 0.012, screen 0.12 font ",9" noenhanced
set label 2 "measured ".data_date." on ".data_machine at screen 0.012, screen 0.09 font ",9" noenhanced
set label 3 "load ".word(data_load, 1)." at the start: a machine shared with other jobs, so times are upper bounds" \
	at screen 0.012, screen 0.06 font ",9" noenhanced
set label 4 "command: ".data_command at screen 0.012, screen 0.03 font ",9" noenhanced
plot "data/router.tsv" using 1:3 with linespoints ls 1 title "ours, NodeList file p50", \
     "" using 1:4 with linespoints ls 2 title "ours, NodeList file p99", \
     "" using 1:10 with linespoints ls 3 title "seed p50", \
     "" using 1:11 with linespoints ls 4 title "seed p99", \
     "data/router-api.tsv" using 1:4 with points ls 5 title "ours, API watch p50", \
     "" using 1:5 with points ls 6 title "ours, API watch p99"
unset label
set key top left
set origin 0.5, 0.2
set title "first full sync (every route written)"
plot "data/router.tsv" using 1:2 with linespoints ls 1 title "ours, NodeList file", \
     "" using 1:9 with linespoints ls 3 title "seed", \
     "data/router-api.tsv" using 1:2 with points ls 5 title "ours, API source"
unset multiplot
