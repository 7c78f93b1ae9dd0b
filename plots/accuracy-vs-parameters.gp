# Edit and run gnuplot 'accuracy-vs-parameters.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Iterative pruning: accuracy against remaining parameters'
set xlabel 'remaining nonzero parameters'
set ylabel 'top-1 accuracy'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set logscale x
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#2ca02c' lw 2 dt 3 pt 3 ps 1.2
set style line 4 lc rgb '#9467bd' lw 2 dt 4 pt 4 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'accuracy-vs-parameters.png'
plot 'accuracy-vs-parameters.dat' index 0 using 1:2 with linespoints ls 1 title 'teacher, l1, 5% per step', \
     'accuracy-vs-parameters.dat' index 1 using 1:2 with linespoints ls 2 title 'teacher, l1, 10% per step', \
     'accuracy-vs-parameters.dat' index 2 using 1:2 with linespoints ls 3 title 'student, l1, 5% per step', \
     'accuracy-vs-parameters.dat' index 3 using 1:2 with linespoints ls 4 title 'student, l1, 10% per step'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'accuracy-vs-parameters.svg'
replot
unset output
